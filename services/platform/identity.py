"""Accounts, passwords (argon2) and bearer tokens (JWT), with object scope per account.

Staff accounts are created by an administrator; applicants' accounts in services/applicants.py.
"""

import secrets
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.personal_data import mask_citizen_id, mask_phone
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from services.platform.settings import Settings
from services.platform.validation import CitizenId, Mobile

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
ALGORITHM = "HS256"


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    full_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=10, max_length=200)
    role: Role
    department: str | None = Field(default=None, max_length=64)
    station: str | None = Field(default=None, max_length=16)
    org_unit: str | None = Field(default=None, max_length=64)
    id_number: CitizenId | None = None
    phone: Mobile | None = None


class UserRead(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    department: str | None
    station: str | None
    org_unit: str | None
    id_number: str | None
    phone: str | None
    active: bool


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(db: Database, username: str, password: str) -> Actor:
    """Staff sign in with their username; an applicant also with its citizen ID number or
    credit code (the account's own name is a handle that names no one)."""
    with db.reading() as uow:
        user = uow.session.scalar(select(models.User).where(models.User.username == username))
        if user is None:
            user = uow.session.scalar(select(models.User).where(
                models.User.applicant_number == username.strip().upper()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except VerificationError:
        user = None
    if user is None or not user.active:
        raise Unauthenticated("wrong username or password")
    return actor_of(user)


def issue_token(settings: Settings, actor: Actor, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": actor.username, "role": actor.role.value, "iat": issued,
              "exp": issued + timedelta(minutes=settings.token_minutes)}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def actor_from_token(db: Database, settings: Settings, token: str) -> Actor:
    """The actor a token speaks for, re-read from the database: a disabled account stops at once."""
    try:
        claims = jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise Unauthenticated("the token is invalid or has expired") from None
    with db.reading() as uow:
        user = uow.session.scalar(
            select(models.User).where(models.User.username == claims.get("sub")))
    if user is None or not user.active:
        raise Unauthenticated("the account no longer exists or is disabled")
    return actor_of(user)


def create_user(db: Database, actor: Actor, data: UserCreate) -> UserRead:
    if not access.may_administer(actor):
        raise Forbidden("only an administrator creates accounts")
    if data.role is Role.APPLICANT:
        raise InvalidInput("applicants open their own accounts (POST /api/v1/auth/applicants), "
                           "or come from the provincial identity provider", field="role")
    if data.role is Role.MEMBER:
        raise InvalidInput("a party member's account is opened by the member's community "
                           "(POST /api/v1/volunteering/members/{code}/account)", field="role")
    _check_scope_fields(data)

    def work(uow) -> UserRead:
        _check_references(uow.session, data)
        if uow.session.scalar(select(models.User).where(models.User.username == data.username)):
            raise Conflict(f"the username '{data.username}' is taken", field="username")
        user = _new_user(data, hash_password(data.password))
        uow.session.add(user)
        uow.session.flush()
        audit.record(uow.session, actor, action="user.created", subject_type="user",
                     subject_id=user.id, after=_audit_view(user))
        uow.commit()
        return _read(user, actor)

    return db.run(work)


def get_user(db: Database, actor: Actor, user_id: int) -> UserRead:
    with db.reading() as uow:
        user = uow.session.get(models.User, user_id)
        scope = user and _scope(user, _parents_of(uow.session, user.org_unit_code))
        if user is None or not access.can_read(actor, scope):
            raise NotFound(f"no user {user_id}")  # out of scope looks the same as absent
        return _read(user, actor, scope)


def list_users(db: Database, actor: Actor, *, limit: int, offset: int) -> list[UserRead]:
    """Accounts in the caller's scope. Staff accounts number in the hundreds, so scope is
    decided here over all of them, with the org tree read once."""
    with db.reading() as uow:
        parents = {code: parent for code, parent in uow.session.execute(
            select(models.OrgUnit.code, models.OrgUnit.parent_code))}
        users = uow.session.scalars(select(models.User).order_by(models.User.id))
        visible = [(u, _scope(u, parents)) for u in users]
        visible = [(u, s) for u, s in visible if access.can_read(actor, s)]
        return [_read(u, actor, s) for u, s in visible[offset:offset + limit]]


def ensure_demo_accounts(db: Database, password: str) -> list[UserRead]:
    """Embedded mode only: admin, auditor, a clerk per station, an officer per department,
    a secretary per street and community. Existing accounts are left as they are."""
    hashed = hash_password(password)  # one salted hash serves every demo account
    system = Actor(username="system:demo-accounts", role=Role.ADMIN)

    def work(uow) -> list[UserRead]:
        taken = set(uow.session.scalars(select(models.User.username)))
        created = []
        for data in _demo_specs(uow.session, password):
            if data.username in taken:
                continue
            user = _new_user(data, hashed)
            uow.session.add(user)
            uow.session.flush()
            audit.record(uow.session, system, action="user.created", subject_type="user",
                         subject_id=user.id, after=_audit_view(user))
            created.append(_read(user, system))
        uow.commit()
        return created

    return db.run(work)


def count_users(db: Database) -> int:
    with db.reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(models.User))


def _demo_specs(session: Session, password: str):
    def spec(username: str, full_name: str, role: Role, **scope) -> UserCreate:
        return UserCreate(username=username, full_name=full_name, password=password,
                          role=role, **scope)

    yield spec("admin", "系统管理员", Role.ADMIN)
    yield spec("auditor", "审计员", Role.AUDITOR)
    for st in session.scalars(select(models.Station).order_by(models.Station.code)):
        yield spec(f"clerk-{st.code}", f"{st.name_zh}窗口", Role.CLERK, station=st.code)
    for d in session.scalars(select(models.Department).order_by(models.Department.code)):
        yield spec(f"officer-{d.code}", f"{d.name_zh}审批员", Role.OFFICER, department=d.code)
    units = select(models.OrgUnit).where(
        models.OrgUnit.level.in_(["district", "street", "community"]))
    for u in session.scalars(units.order_by(models.OrgUnit.code)):
        yield spec(f"secretary-{u.code}", f"{u.name_zh}书记", Role.SECRETARY, org_unit=u.code)


def _check_scope_fields(data: UserCreate) -> None:
    try:
        Actor(username=data.username, role=data.role, department=data.department,
              station=data.station, org_unit=data.org_unit)
    except ValueError as exc:
        needed = {Role.CLERK: "station", Role.OFFICER: "department", Role.SECRETARY: "org_unit",
                  Role.GRID_MEMBER: "org_unit"}
        raise InvalidInput(str(exc.errors()[0]["msg"]), field=needed.get(data.role)) from None


def _check_references(session: Session, data: UserCreate) -> None:
    for field_name, model in [("department", models.Department), ("station", models.Station),
                              ("org_unit", models.OrgUnit)]:
        code = getattr(data, field_name)
        if code is not None and session.get(model, code) is None:
            raise InvalidInput(f"unknown {field_name} '{code}'", field=field_name)
    if data.role is Role.GRID_MEMBER and session.get(models.OrgUnit, data.org_unit).level != "grid":
        raise InvalidInput(f"a grid member works in a grid, not '{data.org_unit}'",
                           field="org_unit")


def _new_user(data: UserCreate, password_hash: str) -> models.User:
    return models.User(
        username=data.username, full_name=data.full_name, password_hash=password_hash,
        role=data.role.value, department_code=data.department, station_code=data.station,
        org_unit_code=data.org_unit, id_number=data.id_number, phone=data.phone, active=True,
        created_at=datetime.now(UTC),
    )


def actor_of(user: models.User) -> Actor:
    return Actor(username=user.username, role=Role(user.role), department=user.department_code,
                 station=user.station_code, org_unit=user.org_unit_code,
                 applicant_number=user.applicant_number)


def _scope(user: models.User, parents: dict[str, str | None]) -> ObjectScope:
    return ObjectScope(department=user.department_code, station=user.station_code,
                       org_units=_path(user.org_unit_code, parents))


def org_path(session: Session, code: str | None) -> tuple[str, ...]:
    """The unit and every ancestor up to the district."""
    return _path(code, _parents_of(session, code))


def _parents_of(session: Session, code: str | None) -> dict[str, str | None]:
    parents: dict[str, str | None] = {}
    while code is not None and code not in parents:
        parents[code] = session.scalar(
            select(models.OrgUnit.parent_code).where(models.OrgUnit.code == code))
        code = parents[code]
    return parents


def _path(code: str | None, parents: dict[str, str | None]) -> tuple[str, ...]:
    path: list[str] = []
    while code is not None:
        path.append(code)
        code = parents.get(code)
    return tuple(path)


def _read(user: models.User, viewer: Actor, scope: ObjectScope | None = None) -> UserRead:
    full = access.sees_personal_data(viewer, scope or ObjectScope())
    return UserRead(
        id=user.id, username=user.username, full_name=user.full_name, role=Role(user.role),
        department=user.department_code, station=user.station_code, org_unit=user.org_unit_code,
        id_number=_shown(user.id_number, full, mask_citizen_id),
        phone=_shown(user.phone, full, mask_phone), active=user.active,
    )


def _shown(value: str | None, full: bool, mask) -> str | None:
    return value if value is None or full else mask(value)


def _audit_view(user: models.User) -> dict:
    """What the audit trail keeps of an account: no password hash, personal numbers masked."""
    return {"username": user.username, "role": user.role, "department": user.department_code,
            "station": user.station_code, "org_unit": user.org_unit_code,
            "id_number": _shown(user.id_number, False, mask_citizen_id),
            "phone": _shown(user.phone, False, mask_phone), "active": user.active}
