from typing import Annotated, Literal

from fastapi import APIRouter, Header, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CalendarDep, CurrentActor, DbDep, Id, Limit, Offset, SettingsDep, Today
from services.one_stop import applications, dashboard, feedback
from services.one_stop.applications import ApplicationCreate, ApplicationRead
from services.one_stop.feedback import RatingCreate, RatingRead, VisitCreate, VisitRead

router = APIRouter(prefix="/applications", tags=["one-stop"])


class MaterialsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    materials: list[str] = Field(min_length=1, max_length=50)


@router.post("", response_model=ApplicationRead, status_code=status.HTTP_201_CREATED)
def submit(data: ApplicationCreate, actor: CurrentActor, db: DbDep, calendar: CalendarDep,
           today: Today, idempotency_key: Annotated[str | None, Header(
               max_length=100, description="a retry with the same key gets the original "
                                           "answer; the same key with another body is refused")
           ] = None) -> ApplicationRead:
    """Accept an application at a station's counter (a clerk, naming its station) or online (an
    applicant for itself, without a station; its receipt is in the online series): receipt
    number, promised date and — if anything is missing — the single notice of everything
    missing, at once; 马上办 services are decided here and then."""
    return applications.submit(db, calendar, actor, data, today, idempotency_key)


@router.get("", response_model=list[ApplicationRead])
def list_applications(actor: CurrentActor, db: DbDep, station: str | None = None,
                      service: str | None = None, status: str | None = None,
                      limit: Limit = 50, offset: Offset = 0) -> list[ApplicationRead]:
    """Applications in the caller's scope (a clerk's station, an officer's department, …; an
    applicant's own)."""
    return applications.list_applications(db, actor, station=station, service=service,
                                          status=status, limit=limit, offset=offset)


@router.get("/{case_id}", response_model=ApplicationRead)
def get(case_id: Id, actor: CurrentActor, db: DbDep) -> ApplicationRead:
    return applications.get(db, actor, case_id)


@router.post("/{case_id}/materials", response_model=ApplicationRead)
def supply(case_id: Id, body: MaterialsBody, actor: CurrentActor, db: DbDep,
           calendar: CalendarDep, today: Today) -> ApplicationRead:
    """Materials supplied at the counter or online by the applicant: the application goes on
    where it stopped."""
    return applications.supply(db, calendar, actor, case_id, body.materials, today)


@router.get("/{case_id}/documents/{kind}", response_class=HTMLResponse)
def document(case_id: Id, kind: Literal["notice", "certificate", "rejection"],
             actor: CurrentActor,
             db: DbDep, settings: SettingsDep) -> HTMLResponse:
    """The single notice (一次性告知书), the certificate, or the reasoned rejection notice."""
    return HTMLResponse(applications.document(db, actor, case_id, kind, settings.secret_key))


@router.post("/{case_id}/visits", response_model=VisitRead, status_code=status.HTTP_201_CREATED)
def record_visit(case_id: Id, data: VisitCreate, actor: CurrentActor, db: DbDep) -> VisitRead:
    """Record an in-person visit; the answer says whether the case kept 最多跑一次 (or 不见面)."""
    return feedback.record_visit(db, actor, case_id, data)


@router.post("/{case_id}/rating", response_model=RatingRead, status_code=status.HTTP_201_CREATED)
def rate(case_id: Id, data: RatingCreate, actor: CurrentActor, db: DbDep,
         calendar: CalendarDep, today: Today) -> RatingRead:
    """好差评: one rating per ended case; a bad one opens a rectification and a call-back."""
    return feedback.rate(db, calendar, actor, case_id, data, today)


dashboard_router = APIRouter(prefix="/dashboard", tags=["one-stop"])


@dashboard_router.get("/one-stop", response_model=dashboard.Dashboard)
def one_stop_dashboard(actor: CurrentActor, db: DbDep, calendar: CalendarDep,
                       today: Today) -> dashboard.Dashboard:
    """Per station, per service and per channel (counter or online): received, decided on the
    spot, in progress, overdue, median working days to decision, share with at most one visit
    and with none, satisfaction."""
    return dashboard.one_stop(db, calendar, actor, today)
