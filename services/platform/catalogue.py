"""Read models of the reference data: the service catalogue with each service's guide,
departments, stations and the org tree."""

from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, or_, select

from policies import reference as ref
from policies.reference import COMMITTEE_OF_LEVEL
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import InvalidInput, NotFound

T = TypeVar("T")


class MaterialRead(BaseModel):
    code: str
    name_zh: str
    original: bool
    deferrable: bool


class ServiceGuide(BaseModel):
    """What an applicant reads before coming: what to bring, how long, how much, on what basis."""

    materials: list[MaterialRead]
    applicant_kinds: list[Literal["person", "enterprise"]]
    promised_working_days: int
    legal_working_days: int
    fee_yuan: Decimal
    legal_basis_zh: str


class ServiceRead(BaseModel):
    code: str
    name_zh: str
    name_en: str
    department: str
    delegated: bool
    on_the_spot: bool
    no_meeting: bool
    guide: ServiceGuide


class DepartmentRead(BaseModel):
    code: str
    name_zh: str
    name_en: str
    head_title_zh: str


class StationRead(BaseModel):
    code: str
    name_zh: str
    name_en: str
    kind: str
    street: str
    community: str | None
    address_zh: str


class OrgUnitRead(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str
    committee_zh: str
    parent: str | None


class Page(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class ServiceFilter(BaseModel):
    delegated: bool | None = None
    department: str | None = None
    on_the_spot: bool | None = None
    no_meeting: bool | None = None
    q: str | None = None


def list_services(db: Database, f: ServiceFilter, *, limit: int, offset: int) -> Page[ServiceRead]:
    stmt = select(models.Service)
    for column, value in [(models.Service.delegated, f.delegated),
                          (models.Service.department_code, f.department),
                          (models.Service.on_the_spot, f.on_the_spot),
                          (models.Service.no_meeting, f.no_meeting)]:
        if value is not None:
            stmt = stmt.where(column == value)
    if f.q:
        pattern = f"%{f.q}%"
        stmt = stmt.where(or_(models.Service.name_zh.like(pattern),
                              models.Service.name_en.ilike(pattern)))
    return _page(db, stmt.order_by(models.Service.code), _service_read, limit, offset)


def get_service(db: Database, code: str) -> ServiceRead:
    with db.reading() as uow:
        service = uow.session.get(models.Service, code)
        if service is None:
            raise NotFound(f"no service '{code}' in the catalogue")
        return _service_read(service)


def list_departments(db: Database, *, limit: int, offset: int) -> Page[DepartmentRead]:
    stmt = select(models.Department).order_by(models.Department.code)
    return _page(db, stmt, lambda d: DepartmentRead.model_validate(d, from_attributes=True),
                 limit, offset)


def list_stations(db: Database, *, street: str | None, limit: int, offset: int
                  ) -> Page[StationRead]:
    stmt = select(models.Station).order_by(models.Station.code)
    if street:
        stmt = stmt.where(models.Station.street_code == street)
    return _page(db, stmt, _station_read, limit, offset)


def list_org_units(db: Database, *, level: str | None, parent: str | None, limit: int,
                   offset: int) -> Page[OrgUnitRead]:
    stmt = select(models.OrgUnit).order_by(models.OrgUnit.code)
    if level:
        stmt = stmt.where(models.OrgUnit.level == level)
    if parent:
        stmt = stmt.where(models.OrgUnit.parent_code == parent)
    return _page(db, stmt, _org_unit_read, limit, offset)


def _page(db: Database, stmt: Select, read, limit: int, offset: int) -> Page:
    with db.reading() as uow:
        total = uow.session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = uow.session.scalars(stmt.limit(limit).offset(offset))
        return Page(total=total, limit=limit, offset=offset, items=[read(r) for r in rows])


def _service_read(s: models.Service) -> ServiceRead:
    guide = ServiceGuide(materials=s.materials, applicant_kinds=s.applicant_kinds,
                         promised_working_days=s.promised_working_days,
                         legal_working_days=s.legal_working_days, fee_yuan=s.fee_yuan,
                         legal_basis_zh=s.legal_basis_zh)
    return ServiceRead(code=s.code, name_zh=s.name_zh, name_en=s.name_en,
                       department=s.department_code, delegated=s.delegated,
                       on_the_spot=s.on_the_spot, no_meeting=s.no_meeting, guide=guide)


def _station_read(s: models.Station) -> StationRead:
    return StationRead(code=s.code, name_zh=s.name_zh, name_en=s.name_en, kind=s.kind,
                       street=s.street_code, community=s.community_code, address_zh=s.address_zh)


def _org_unit_read(u: models.OrgUnit) -> OrgUnitRead:
    return OrgUnitRead(code=u.code, name_zh=u.name_zh, name_en=u.name_en, level=u.level,
                       committee_zh=COMMITTEE_OF_LEVEL[u.level], parent=u.parent_code)


def service_rule(session, code: str, applicant_kind: str) -> ref.Service:
    """The service as the intake rules read it; refuses what this applicant cannot apply for."""
    row = session.get(models.Service, code)
    if row is None or not row.delegated:
        raise InvalidInput(f"no delegated service '{code}'", field="service")
    if applicant_kind not in row.applicant_kinds:
        raise InvalidInput(f"{code} is not for an applicant of kind {applicant_kind}",
                           field="applicant.kind")
    return ref.Service(
        code=row.code, name_zh=row.name_zh, name_en=row.name_en,
        department=row.department_code, delegated=row.delegated,
        applicant_kinds=row.applicant_kinds, materials=row.materials,
        on_the_spot=row.on_the_spot, promised_working_days=row.promised_working_days,
        legal_working_days=row.legal_working_days, no_meeting=row.no_meeting,
        fee_yuan=row.fee_yuan, legal_basis_zh=row.legal_basis_zh)
