"""The public catalogue: anyone may read which services exist and what they need."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CalendarDep, DbDep, Limit, Offset
from services.platform import catalogue
from services.platform.catalogue import (
    DepartmentRead,
    OrgUnitRead,
    Page,
    ServiceFilter,
    ServiceRead,
    StationRead,
)
from services.platform.validation import IsoDate
from services.work import deadlines

router = APIRouter(tags=["catalogue"])


@router.get("/catalogue/services", response_model=Page[ServiceRead])
def services(db: DbDep, delegated: bool | None = None, department: str | None = None,
             on_the_spot: bool | None = None, no_meeting: bool | None = None,
             q: Annotated[str | None, Query(max_length=50)] = None, limit: Limit = 100,
             offset: Offset = 0) -> Page[ServiceRead]:
    """Services with their guide (materials, deadlines, fee, legal basis), filterable."""
    filters = ServiceFilter(delegated=delegated, department=department,
                            on_the_spot=on_the_spot, no_meeting=no_meeting, q=q)
    return catalogue.list_services(db, filters, limit=limit, offset=offset)


@router.get("/catalogue/services/{code}", response_model=ServiceRead)
def service(db: DbDep, code: str) -> ServiceRead:
    return catalogue.get_service(db, code)


@router.get("/catalogue/departments", response_model=Page[DepartmentRead])
def departments(db: DbDep, limit: Limit = 100, offset: Offset = 0) -> Page[DepartmentRead]:
    return catalogue.list_departments(db, limit=limit, offset=offset)


@router.get("/catalogue/stations", response_model=Page[StationRead])
def stations(db: DbDep, street: str | None = None, limit: Limit = 100, offset: Offset = 0
             ) -> Page[StationRead]:
    return catalogue.list_stations(db, street=street, limit=limit, offset=offset)


@router.get("/org/units", response_model=Page[OrgUnitRead])
def org_units(db: DbDep, level: Annotated[str | None, Query(
        pattern="^(district|street|community|grid|building)$")] = None,
              parent: str | None = None, limit: Limit = 100, offset: Offset = 0
              ) -> Page[OrgUnitRead]:
    """The organisation tree: district → streets → communities → grids → buildings."""
    return catalogue.list_org_units(db, level=level, parent=parent, limit=limit, offset=offset)


@router.get("/calendar/due-date", response_model=deadlines.DueDate)
def due_date(calendar: CalendarDep, start: IsoDate,
             working_days: Annotated[int, Query(ge=0, le=250)]) -> deadlines.DueDate:
    """The date `working_days` working days after `start`, skipping weekends and public
    holidays and counting make-up working days (调休)."""
    return deadlines.due_date(calendar, start, working_days)
