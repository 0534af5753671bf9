"""What the API shows, each read checked against the reader's scope: a community's secretary
sees its roster and its members, a street's or the district's everything under it; out of
scope answers 404, as if absent."""

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select

from policies import access
from policies.access import Actor, ObjectScope, Role
from services.platform.db.uow import Database
from services.platform.errors import Forbidden, NotFound
from services.volunteering import accounts, compliance, plans, reference, swaps
from services.volunteering.models import (
    VolunteerAssignment,
    VolunteerMember,
    VolunteerPlan,
    VolunteerProject,
    VolunteerUnit,
)

MONTH = r"^20\d\d-(0[1-9]|1[0-2])$"
ACTIVITY = r"^[A-Za-z0-9_-]{1,32}@\d{4}-\d\d-\d\d-(am|pm|evening)$"


class PlanChanges(BaseModel):
    """A secretary's changes for a re-plan: closed slots (`2026-12-12-am`, or one community's
    `community@2026-12-12-am`) and project capacities."""

    closed: list[str] = Field(default=[], max_length=200)
    capacities: dict[str, int] = Field(default={}, max_length=200)


class AttendanceCreate(BaseModel):
    month: str = Field(pattern=MONTH)
    present: list[str] = Field(max_length=500)


class DeclineCreate(BaseModel):
    month: str = Field(pattern=MONTH)
    activity: str = Field(pattern=ACTIVITY)


class SwapCreate(BaseModel):
    """Leave `activity` for `to_activity`: a free seat there, or the seat of `with_member`, who
    takes `activity` in exchange."""

    month: str = Field(pattern=MONTH)
    activity: str = Field(pattern=ACTIVITY)
    to_activity: str = Field(pattern=ACTIVITY)
    with_member: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,32}$")


def scope_of_community(community: str) -> ObjectScope:
    street = {c: s for c, _, s in reference.district_communities()}.get(community)
    district = reference.district_code() if street else None
    return ObjectScope(org_units=tuple(x for x in (community, street, district) if x))


def district_scope() -> ObjectScope:
    return ObjectScope(org_units=(reference.district_code(),))


def require_district(actor: Actor) -> None:
    if not access.can_write(actor, district_scope()):
        raise Forbidden(f"{actor.username} does not plan for the district")


def readable_communities(actor: Actor) -> set[str]:
    return {c for c, _, _ in reference.district_communities()
            if access.can_read(actor, scope_of_community(c))}


def contracts(db: Database, actor: Actor) -> list[dict]:
    mine = readable_communities(actor)
    with db.reading() as uow:
        s = uow.session
        units = s.scalars(select(VolunteerUnit).where(VolunteerUnit.community.in_(mine))
                          .order_by(VolunteerUnit.code)).all()
        projects = s.scalars(select(VolunteerProject)).all()
        by_unit: dict[str, list[dict]] = {}
        for p in projects:
            by_unit.setdefault(p.unit_code, []).append(
                {"code": p.code, "name_zh": p.name_zh, "type": p.type, "charging": p.charging,
                 "capacity": p.capacity, "patterns": p.patterns})
        return [{"unit": u.code, "name_zh": u.name_zh, "community": u.community,
                 "projects": by_unit.get(u.code, [])} for u in units]


def latest_plan(db: Database, actor: Actor, month: str) -> plans.PlanSummary:
    require_district(actor)
    with db.reading() as uow:
        row = uow.session.scalars(select(VolunteerPlan).where(
            VolunteerPlan.month == month, VolunteerPlan.status != "superseded")
            .order_by(VolunteerPlan.id.desc())).first()
        if row is None:
            raise NotFound(f"no plan for {month}")
        plan_id = row.id
    return plans.summary(db, plan_id)


def _member(db: Database, actor: Actor, code: str) -> VolunteerMember:
    with db.reading() as uow:
        member = uow.session.get(VolunteerMember, code)
        unit = member and uow.session.get(VolunteerUnit, member.unit_code)
    if member is None or not _reads_member(actor, member, unit):
        raise NotFound(f"no member {code}")
    return member


def _reads_member(actor: Actor, member: VolunteerMember, unit: VolunteerUnit) -> bool:
    """A member reads its own record only; staff the members of their home or paired
    community."""
    if actor.role is Role.MEMBER:
        return member.account is not None and member.account == actor.username
    return (access.can_read(actor, scope_of_community(member.home))
            or access.can_read(actor, scope_of_community(unit.community)))


def _acts_for(actor: Actor, member: VolunteerMember) -> bool:
    """The member itself, or the member's community (and those above it)."""
    return actor.role is Role.MEMBER or access.can_write(actor, scope_of_community(member.home))


def open_member_account(db: Database, actor: Actor, code: str,
                        data: accounts.MemberAccountCreate) -> dict:
    member = _member(db, actor, code)
    if actor.role is Role.MEMBER or not _acts_for(actor, member):
        raise Forbidden(f"{actor.username} does not open accounts for {code}'s community")
    return accounts.open_account(db, actor, code, data)


def member_activities(db: Database, actor: Actor, code: str, month: str) -> list[dict]:
    _member(db, actor, code)
    return plans.member_activities(db, code, month)


def member_hours(db: Database, actor: Actor, code: str) -> dict:
    _member(db, actor, code)
    return plans.hours(db, code)


def roster(db: Database, actor: Actor, community: str, month: str) -> list[dict]:
    if not access.can_read(actor, scope_of_community(community)):
        raise NotFound(f"no community {community}")
    with db.reading() as uow:
        plan = plans.published_plan(uow.session, month)
        rows = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == plan.id, VolunteerAssignment.community == community,
            VolunteerAssignment.status == "planned").order_by(
            VolunteerAssignment.slot, VolunteerAssignment.activity_code)).all()
        by_activity: dict[str, dict] = {}
        for r in rows:
            entry = by_activity.setdefault(r.activity_code, {
                "activity": r.activity_code, "slot": r.slot, "project_type": r.project_type,
                "host": next((u for u, a in plan.hosts.items() if a == r.activity_code), None),
                "members": []})
            entry["members"].append({"member": r.member_code, "attended": r.attended})
        return list(by_activity.values())


def record_attendance(db: Database, actor: Actor, activity: str,
                      data: AttendanceCreate) -> dict[str, int]:
    with db.reading() as uow:
        row = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.activity_code == activity)).first()
    if row is None or not access.can_read(actor, scope_of_community(row.community)):
        raise NotFound(f"no activity {activity}")
    if not access.can_write(actor, scope_of_community(row.community)):
        raise Forbidden(f"{actor.username} does not keep {row.community}'s sign-in lists")
    return plans.record_attendance(db, actor, data.month, activity, data.present)


def month_compliance(db: Database, actor: Actor, month: str) -> dict:
    mine = readable_communities(actor)
    report = compliance.month_end(db, month)
    findings = [f for f in report["findings"] if f["community"] in mine]
    return report | {"findings": findings}


def decline(db: Database, actor: Actor, code: str, data: DeclineCreate,
            today: date) -> dict:
    """A member declines an activity within the window (recorded by the member's community or
    unit); the member is re-seated and nobody else moves."""
    member = _member(db, actor, code)
    if not _acts_for(actor, member):
        raise Forbidden(f"{actor.username} does not act for {code}'s community")
    done = plans.decline(db, actor, data.month, [(code, data.activity)], today)
    return {"member": code, "declined": data.activity, "now": list(done.moved.get(code, ())),
            "helping": sorted(m for m in done.moved if m != code),
            "attention": done.attention}


def swap(db: Database, actor: Actor, code: str, data: SwapCreate, today: date) -> dict:
    """A member moves itself to a free seat; an exchange of two members is recorded by their
    community (or above), which has both members' agreement."""
    member = _member(db, actor, code)
    if not _acts_for(actor, member):
        raise Forbidden(f"{actor.username} does not act for {code}'s community")
    if data.with_member is not None:
        if actor.role is Role.MEMBER:
            raise Forbidden("an exchange with another member is recorded by the community, "
                            "with both members' agreement")
        other = _member(db, actor, data.with_member)
        if not _acts_for(actor, other):
            raise Forbidden(f"{actor.username} does not act for {data.with_member}'s community")
    moved = swaps.swap(db, actor, data.month, swaps.Swap(code, data.activity, data.to_activity,
                                                         data.with_member), today)
    return {"month": data.month, "now": moved}


def quarterly_card(db: Database, actor: Actor, code: str, quarter: str) -> dict:
    """The member's service card for the employer unit: activities attended and hours in a
    quarter (`2026-Q4`)."""
    member = _member(db, actor, code)
    year, q = int(quarter[:4]), int(quarter[-1])
    months = {f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)}
    ledger = plans.hours(db, code)
    lines = [line for line in ledger["lines"] if line["month"] in months]
    return {"member": code, "name_zh": member.name_zh, "unit": member.unit_code,
            "quarter": quarter, "activities": len(lines),
            "hours": sum(line["hours"] for line in lines), "lines": lines}
