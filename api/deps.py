"""Typed dependencies every route uses: the database, the settings, the acting user, paging."""

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer

from policies.access import Actor
from policies.calendar import WorkingCalendar
from services import identity
from services.db.uow import Database
from services.settings import Settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")
MAX_PAGE = 200


def _db(request: Request) -> Database:
    return request.app.state.runtime.db


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


DbDep = Annotated[Database, Depends(_db)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def _actor(db: DbDep, settings: SettingsDep, token: Annotated[str, Depends(oauth2)]) -> Actor:
    return identity.actor_from_token(db, settings, token)


CurrentActor = Annotated[Actor, Depends(_actor)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _calendar(request: Request) -> WorkingCalendar:
    return request.app.state.runtime.calendar


CalendarDep = Annotated[WorkingCalendar, Depends(_calendar)]
