"""Open311 GeoReport v2 over the grid intake: any Open311 client (or a city's 12345 platform
speaking it) lists the categories, files an issue and follows it. JSON only.

Field names, status values (open/closed) and the error format (a list of {code, description})
are the spec's; the issue's grid, required by the intake, is the service definition's
attribute `grid` (and `building`, optional). POST needs `api_key`: a govflow access token of an
account that may report in that grid (the 12345 platform's, a grid member's)."""

from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.deps import CalendarDep, DbDep, SettingsDep, Today
from api.routes.issues import CatalogueDep
from policies.grid.categories import Category
from services.grid import issues, public
from services.grid.issues import IssueReport
from services.platform import identity
from services.platform.errors import DomainError

# Outside govflow's OpenAPI document: Open311 clients follow the GeoReport v2 spec, whose
# errors are its own list of {code, description}, not problem documents.
router = APIRouter(prefix="/open311/v2", tags=["open311"], include_in_schema=False)
DISTRICT_TIME = ZoneInfo("Asia/Shanghai")
LOCATION_FIELDS = ("lat", "long", "address_string", "address_id")


def error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


@router.get("/services.json")
def services(catalogue: CatalogueDep) -> list[dict]:
    return [_service(c) for c in catalogue.categories]


@router.get("/services/{code}.json", response_model=None)
def service_definition(code: str, catalogue: CatalogueDep, db: DbDep
                       ) -> dict | JSONResponse:
    category = catalogue.get(code)
    if category is None:
        return error(404, f"no service_code '{code}'")
    grids = public.grid_names(db)
    return {"service_code": category.code, "attributes": [
        {"variable": True, "code": "grid", "datatype": "singlevaluelist", "required": True,
         "datatype_description": "网格", "order": 1, "description": "问题所在网格",
         "values": [{"key": k, "name": v} for k, v in grids.items()]},
        {"variable": True, "code": "building", "datatype": "string", "required": False,
         "datatype_description": None, "order": 2, "description": "楼栋（如 沧江花园1号楼）"}]}


@router.post("/requests.json", response_model=None)
async def post_request(request: Request, db: DbDep, settings: SettingsDep,
                       catalogue: CatalogueDep, calendar: CalendarDep, today: Today
                       ) -> list[dict] | JSONResponse:
    form = await request.form()
    try:
        actor = identity.actor_from_token(db, settings, str(form.get("api_key") or ""))
    except DomainError:
        return error(403, "Invalid api_key received -- can't proceed with create_request.")
    if not any(form.get(f) for f in LOCATION_FIELDS):
        return error(400, "lat & long, address_string or address_id is required")
    category = catalogue.get(str(form.get("service_code") or ""))
    if category is None:
        return error(404, f"service_code '{form.get('service_code')}' not found")
    try:
        report = _report(form, category)
        filed = issues.report(db, catalogue, calendar, actor, report, today, channel="open311")
    except ValidationError as exc:
        first = exc.errors()[0]
        return error(400, f"{_open311_name(first['loc'])}: {first['msg']}")
    except DomainError as exc:
        return error(exc.status if exc.status != 422 else 400,
                     f"{_open311_name((exc.field,)) + ': ' if exc.field else ''}{exc.detail}")
    notice = public.public_issues(db, catalogue, ids=[filed.id])[0].notice
    return [{"service_request_id": str(filed.id), "service_notice": notice,
             "account_id": None}]


@router.get("/requests.json", response_model=None)
def get_requests(db: DbDep, catalogue: CatalogueDep,
                 service_request_id: str | None = None, service_code: str | None = None,
                 start_date: datetime | None = None, end_date: datetime | None = None,
                 status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
                 ) -> list[dict] | JSONResponse:
    ids = None
    if service_request_id:
        try:
            ids = [int(i) for i in service_request_id.split(",")]
        except ValueError:
            return error(400, "service_request_id: a comma-separated list of ids")
    if ids is None and start_date is None and end_date is None:
        start_date = datetime.now(DISTRICT_TIME) - timedelta(days=90)  # the spec's default
    found = public.public_issues(db, catalogue, ids=ids, category=service_code,
                                 since=start_date, until=end_date,
                                 closed=None if status is None else status == "closed")
    return [_request(i) for i in found]


@router.get("/requests/{service_request_id}.json", response_model=None)
def get_request(service_request_id: str, db: DbDep, catalogue: CatalogueDep
                ) -> list[dict] | JSONResponse:
    if not service_request_id.isdigit() or len(service_request_id) > 9:
        return error(404, f"no service request '{service_request_id}'")
    found = public.public_issues(db, catalogue, ids=[int(service_request_id)])
    if not found:
        return error(404, f"no service request '{service_request_id}'")
    return [_request(found[0])]


def _service(c: Category) -> dict:
    limit = "当日办结" if c.urgency == "emergency" else f"{c.working_days}个工作日内办结"
    return {"service_code": c.code, "service_name": c.name_zh,
            "description": f"{c.name_zh}（{limit}）",
            "metadata": True, "type": "realtime", "keywords": c.urgency.value,
            "group": c.handler.value}


def _report(form, category: Category) -> IssueReport:
    name = " ".join(filter(None, [form.get("last_name"), form.get("first_name")])) or None
    lat, long = form.get("lat"), form.get("long")
    return IssueReport(
        category=category.code, description=str(form.get("description") or category.name_zh),
        grid=str(form.get("attribute[grid]") or ""), building=form.get("attribute[building]"),
        latitude=float(lat) if lat else None, longitude=float(long) if long else None,
        address=form.get("address_string") or None, channel="resident", raiser_name=name,
        raiser_phone=form.get("phone") or None)


OPEN311_NAMES = {"grid": "attribute[grid]", "building": "attribute[building]",
                 "latitude": "lat", "longitude": "long", "address": "address_string",
                 "raiser_phone": "phone", "raiser_name": "first_name", "category": "service_code"}


def _open311_name(loc: tuple) -> str:
    return OPEN311_NAMES.get(str(loc[0]) if loc else "", str(loc[0]) if loc else "request")


def _request(i: public.PublicIssue) -> dict:
    return {"service_request_id": str(i.id), "status": "closed" if i.closed else "open",
            "status_notes": i.notes, "service_name": i.category_name,
            "service_code": i.category, "description": i.description,
            "agency_responsible": i.agency, "service_notice": i.notice,
            "requested_datetime": _iso(i.reported_at), "updated_datetime": _iso(i.updated_at),
            "expected_datetime": _iso(datetime.combine(i.due_on, time(23, 59, 59),
                                                       DISTRICT_TIME)),
            "address": i.address, "address_id": None, "zipcode": None,
            "lat": i.latitude, "long": i.longitude, "media_url": None}


def _iso(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TIME).isoformat(timespec="seconds")
