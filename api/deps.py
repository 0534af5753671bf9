"""Typed dependencies every route uses: the database, the settings, the acting user, paging."""

import json
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer

from policies import access
from policies.access import Actor
from policies.calendar import WorkingCalendar
from policies.project_approval.projects import ApprovalPlan
from services.platform import clock, identity
from services.platform.db.uow import Database
from services.platform.errors import Forbidden, InvalidInput
from services.platform.settings import Settings
from services.project_approval.plan import project_plan

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")
MAX_PAGE = 200
MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number names nothing


async def _db(request: Request) -> Database:
    return request.app.state.runtime.db


async def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


DbDep = Annotated[Database, Depends(_db)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def _actor(db: DbDep, settings: SettingsDep, token: Annotated[str, Depends(oauth2)]) -> Actor:
    return identity.actor_from_token(db, settings, token)


CurrentActor = Annotated[Actor, Depends(_actor)]


def _staff(actor: CurrentActor) -> Actor:
    if not access.is_staff(actor):
        raise Forbidden("this is the staff's work; an applicant reaches its own applications")
    return actor


# On the routers of the staff's work (app.py): work queues, accounts, audit, cases, dashboards.
StaffOnly = Depends(_staff)

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


async def _calendar(request: Request) -> WorkingCalendar:
    return request.app.state.runtime.calendar


CalendarDep = Annotated[WorkingCalendar, Depends(_calendar)]


async def _today(settings: SettingsDep) -> date:
    return clock.today(settings)


Today = Annotated[date, Depends(_today)]


async def _expected_version(if_match: Annotated[str | None, Header(
        pattern=r'^(W/)?"?[0-9]{1,9}"?$',
        description="the work item's version as last read (ETag); refused with 409 if it "
                    "changed since")] = None) -> int | None:
    return None if if_match is None else int(if_match.strip('W/"'))


ExpectedVersion = Annotated[int | None, Depends(_expected_version)]


async def _plan(request: Request) -> ApprovalPlan:
    return project_plan()


PlanDep = Annotated[ApprovalPlan, Depends(_plan)]


async def refuse_nul(request: Request) -> None:
    """No input may carry U+0000: PostgreSQL text cannot hold it (SQLite would). Refused for
    every route (app.py), naming where it was, instead of a 500 from the database."""
    content_type = request.headers.get("content-type", "")
    named = [*request.path_params.items(), *request.query_params.multi_items(),
             *request.headers.items()]
    if "form" in content_type:
        named += (await request.form()).multi_items()
    found = next((name for name, value in named
                  if isinstance(value, str) and "\x00" in value), None)
    if found is None and "json" in content_type:
        try:
            found = _nul_in(json.loads(await request.body()))
        except ValueError:
            pass  # not JSON: the route refuses it as such
    if found is not None:
        raise InvalidInput("text may not contain the NUL character (U+0000)", field=found)


def _nul_in(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string in a parsed body that holds a NUL, if any."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        found = _nul_in(str(key), where) or _nul_in(item, where)
        if found is not None:
            return found
    return None
