"""Who may read and change what: role *and* object scope.

A station clerk acts for one station, a department officer for one department, a committee
secretary for one unit of the org tree and everything under it, a grid member (网格员) for one
grid (a leaf of the tree: it sees its grid's issues and nothing above); an auditor reads everything
and changes nothing; an administrator does both. An applicant (a citizen or an enterprise acting
for itself online, HC-11d) reaches only its own applications, recognised by the citizen ID
number or unified social credit code the account was verified with, and none of the staff's
work: queues, accounts, the audit trail, dashboards.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator


class Role(StrEnum):
    CLERK = "clerk"
    OFFICER = "officer"
    SECRETARY = "secretary"
    GRID_MEMBER = "grid-member"
    AUDITOR = "auditor"
    ADMIN = "admin"
    APPLICANT = "applicant"
    MEMBER = "member"  # a party member (双报到): reads its own volunteer plan and hours only


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    role: Role
    department: str | None = None
    station: str | None = None
    org_unit: str | None = None
    applicant_number: str | None = None  # an applicant's citizen ID number or credit code

    @model_validator(mode="after")
    def _scoped_roles_have_a_scope(self) -> "Actor":
        missing = {
            Role.CLERK: ("station", self.station),
            Role.OFFICER: ("department", self.department),
            Role.SECRETARY: ("org_unit", self.org_unit),
            Role.GRID_MEMBER: ("org_unit", self.org_unit),
            Role.APPLICANT: ("applicant_number", self.applicant_number),
        }.get(self.role)
        if missing and not missing[1]:
            raise ValueError(f"a {self.role.value} needs a {missing[0]}")
        return self


class ObjectScope(BaseModel):
    """Where an object belongs; `org_units` is its unit followed by every ancestor;
    `applicant_number` is whose application it is."""

    model_config = ConfigDict(frozen=True)

    department: str | None = None
    station: str | None = None
    org_units: tuple[str, ...] = ()
    applicant_number: str | None = None


def can_read(actor: Actor, scope: ObjectScope) -> bool:
    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return True
    return _in_scope(actor, scope)


def can_write(actor: Actor, scope: ObjectScope) -> bool:
    if actor.role is Role.AUDITOR:
        return False
    return actor.role is Role.ADMIN or _in_scope(actor, scope)


def may_administer(actor: Actor) -> bool:
    return actor.role is Role.ADMIN


def is_staff(actor: Actor) -> bool:
    """Work queues, accounts, the audit trail and dashboards are the staff's, not applicants'."""
    return actor.role not in (Role.APPLICANT, Role.MEMBER)


def sees_personal_data(actor: Actor, scope: ObjectScope) -> bool:
    """Full ID and phone numbers only for those who serve the person and for the person;
    everyone else sees masks."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role in (Role.CLERK, Role.OFFICER, Role.APPLICANT) and _in_scope(actor, scope)


def _in_scope(actor: Actor, scope: ObjectScope) -> bool:
    match actor.role:
        case Role.CLERK:
            return scope.station is not None and scope.station == actor.station
        case Role.OFFICER:
            return scope.department is not None and scope.department == actor.department
        case Role.SECRETARY | Role.GRID_MEMBER:
            return actor.org_unit in scope.org_units
        case Role.APPLICANT:
            return scope.applicant_number is not None and (
                scope.applicant_number == actor.applicant_number)
    return False
