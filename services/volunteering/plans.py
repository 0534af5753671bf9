"""The month's plan as records: drafted from the imported units and members, re-planned with a
secretary's changes, published; declines repaired; attendance and hours; month-end compliance."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update

from policies.access import Actor
from policies.volunteering import generator
from policies.volunteering.model import (
    Availability,
    ChargingMode,
    Contract,
    Member,
    Project,
    ProjectType,
    SlotPattern,
    Unit,
)
from policies.volunteering.plan import Plan, next_history
from policies.volunteering.plan import gap as plan_gap
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.volunteering import reference
from services.volunteering.explain import explain
from services.volunteering.models import (
    ServiceHours,
    VolunteerAssignment,
    VolunteerMember,
    VolunteerPlan,
    VolunteerProject,
    VolunteerUncovered,
    VolunteerUnit,
)
from services.volunteering.network import build
from services.volunteering.optimiser import plan_month
from services.volunteering.repair import repair


@dataclass
class PlanSummary:
    id: int
    month: str
    status: str
    objective: int
    lower_bound: int
    gap: float
    rules_hold: bool
    violations: dict[str, int]
    members: int
    planned: int
    uncovered: dict[str, str]
    explanation: str
    fixes: list[str] = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    case_id: int | None = None  # the monthly flow's case: its review step decides the draft
    attempt: int | None = None


def district_from(session) -> generator.District:
    """The district as the optimiser reads it, from the imported records."""
    units = session.scalars(select(VolunteerUnit).order_by(VolunteerUnit.code)).all()
    projects = defaultdict(list)
    for p in session.scalars(select(VolunteerProject).order_by(VolunteerProject.code)):
        projects[p.unit_code].append(Project(
            code=p.code, name_zh=p.name_zh, type=ProjectType(p.type),
            charging=ChargingMode(p.charging), capacity=p.capacity,
            patterns=tuple(SlotPattern(w, part) for w, part in p.patterns)))
    members = [Member(code=m.code, name_zh=m.name_zh, unit=m.unit_code, home=m.home,
                      availability=Availability(m.availability),
                      claimed=frozenset(ProjectType(t) for t in m.claimed),
                      requested=m.requested, history=m.history)
               for m in session.scalars(select(VolunteerMember).order_by(VolunteerMember.code))]
    return generator.District(
        communities=reference.places(),
        contracts=[Contract(u.code, u.community, tuple(projects[u.code])) for u in units],
        units=[Unit(u.code, u.name_zh, u.community) for u in units], members=members)


def draft_plan(db: Database, actor: Actor, month: str, closed: list[str] | None = None,
               capacities: dict[str, int] | None = None,
               review: tuple[int, int] | None = None) -> PlanSummary:
    """Plan the month (again, with a secretary's changes); the previous draft is superseded.
    `review` is the flow's (case, round): a round drafted already is found, not solved again."""
    changes = {"closed": sorted(closed or []), "capacities": dict(capacities or {})}
    if review is not None:
        with db.reading() as uow:
            done = uow.session.scalar(select(VolunteerPlan.id).where(
                VolunteerPlan.case_id == review[0], VolunteerPlan.attempt == review[1]))
        if done is not None:
            return summary(db, done)
    with db.reading() as uow:
        district = district_from(uow.session)
    if not district.members:
        raise InvalidInput("no members imported yet", field="month")
    if review is None and _under_review(db, month):
        raise Conflict(f"the {month} draft is under review in the monthly flow: ask for a "
                       "re-plan through its review step", field="month")
    instance = reference.month_instance(month, district, closed=frozenset(changes["closed"]),
                                        capacity_overrides=changes["capacities"])
    outcome = plan_month(instance, reference.settings())
    why = explain(outcome.network)
    slot_of = {a.code: a for a in instance.activities}

    def work(uow) -> int:
        s = uow.session
        s.execute(update(VolunteerPlan).where(VolunteerPlan.month == month,
                                              VolunteerPlan.status == "draft")
                  .values(status="superseded"))
        row = VolunteerPlan(
            month=month, status="draft", objective=outcome.objective,
            lower_bound=outcome.lower_bound,
            verdict={"holds": outcome.verdict.holds, "by_rule": dict(outcome.verdict.by_rule())},
            explanation={"summary_zh": why.summary_zh, "fixes": why.fixes,
                         "members": why.members, "max_coverage": why.max_coverage,
                         "groups": [g.__dict__ | {"kind": g.kind.value} for g in why.groups]},
            hosts=outcome.plan.hosts, changes=changes, created_at=datetime.now(UTC),
            case_id=review and review[0], attempt=review and review[1])
        s.add(row)
        s.flush()
        _insert_assignments(s, row.id, outcome.plan.assignments, slot_of)
        if outcome.plan.uncovered:
            s.execute(insert(VolunteerUncovered), [
                {"plan_id": row.id, "member_code": m, "reason": r}
                for m, r in outcome.plan.uncovered.items()])
        audit.record(s, actor, action="volunteer_plan.drafted", subject_type="volunteer_plan",
                     subject_id=row.id, after={"month": month, "objective": outcome.objective,
                                               "changes": changes,
                                               "uncovered": len(outcome.plan.uncovered)})
        uow.commit()
        return row.id

    return summary(db, db.run(work))


def _under_review(db: Database, month: str) -> bool:
    with db.reading() as uow:
        return uow.session.scalar(select(VolunteerPlan.id).where(
            VolunteerPlan.month == month, VolunteerPlan.status == "draft",
            VolunteerPlan.case_id.is_not(None))) is not None


def _insert_assignments(s, plan_id, assignments, activities) -> None:
    rows = [{"plan_id": plan_id, "member_code": m, "activity_code": code,
             "community": activities[code].community, "slot": activities[code].slot,
             "project_type": activities[code].type.value, "status": "planned"}
            for m, codes in assignments.items() for code in codes]
    if rows:
        s.execute(insert(VolunteerAssignment), rows)


def summary(db: Database, plan_id: int) -> PlanSummary:
    with db.reading() as uow:
        s = uow.session
        row = s.get(VolunteerPlan, plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id}")
        planned = set(s.scalars(select(VolunteerAssignment.member_code).where(
            VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.status == "planned")))
        members = len(s.scalars(select(VolunteerMember.code)).all())
        uncovered = {u.member_code: u.reason for u in s.scalars(
            select(VolunteerUncovered).where(VolunteerUncovered.plan_id == plan_id))}
        gap = plan_gap(row.objective, row.lower_bound)
        return PlanSummary(row.id, row.month, row.status, row.objective, row.lower_bound,
                           round(gap, 4), row.verdict["holds"], row.verdict["by_rule"], members,
                           len(planned), uncovered, row.explanation["summary_zh"],
                           row.explanation["fixes"], row.changes, row.case_id, row.attempt)


def publish(db: Database, actor: Actor, plan_id: int, by_flow: bool = False) -> PlanSummary:
    """Publish a draft: the monthly flow's once its review says so; an ad-hoc draft at once."""
    def work(uow) -> None:
        row = uow.session.get(VolunteerPlan, plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id}")
        if row.case_id is not None and not by_flow and row.status == "draft":
            raise Conflict(f"plan {plan_id} is under review in the monthly flow: decide its "
                           "review step (POST /volunteering/plans/{id}/review)", field="plan_id")
        if row.status == "published":
            return  # published already: the flow's task ran again
        if row.status != "draft":
            raise InvalidInput(f"plan {plan_id} is {row.status}, not a draft", field="plan_id")
        earlier = uow.session.scalars(select(VolunteerPlan.id).where(
            VolunteerPlan.month == row.month, VolunteerPlan.published_at.is_not(None))).first()
        uow.session.execute(update(VolunteerPlan).where(
            VolunteerPlan.month == row.month, VolunteerPlan.status == "published")
            .values(status="superseded"))  # a re-plan published replaces the month's plan
        row.status, row.published_at = "published", datetime.now(UTC)
        if earlier is None:  # the month counts once in the rotation history
            _remember_unpopular(uow.session, plan_id)
        audit.record(uow.session, actor, action="volunteer_plan.published",
                     subject_type="volunteer_plan", subject_id=plan_id,
                     before={"status": "draft"}, after={"status": "published"})
        uow.commit()

    db.run(work)
    return summary(db, plan_id)


def published_plan(session, month: str) -> VolunteerPlan:
    row = session.scalars(select(VolunteerPlan).where(
        VolunteerPlan.month == month, VolunteerPlan.status == "published")).first()
    if row is None:
        raise NotFound(f"no published plan for {month}")
    return row


def member_activities(db: Database, member_code: str, month: str) -> list[dict]:
    with db.reading() as uow:
        plan = published_plan(uow.session, month)
        return [{"activity": a.activity_code, "community": a.community, "slot": a.slot,
                 "project_type": a.project_type, "status": a.status, "attended": a.attended}
                for a in uow.session.scalars(select(VolunteerAssignment).where(
                    VolunteerAssignment.plan_id == plan.id,
                    VolunteerAssignment.member_code == member_code)
                    .order_by(VolunteerAssignment.slot))]


@dataclass
class Declined:
    moved: dict[str, tuple[str, ...]]   # member -> activities added by the repair
    unseated: list[str]
    attention: dict[str, str]           # activity -> what the secretary must still arrange


def decline(db: Database, actor: Actor, month: str, declines: list[tuple[str, str]],
            today: date) -> Declined:
    """Members decline within the window; only they are re-seated, everyone else keeps theirs."""
    window = reference.settings().rules.decline_window_days
    for _, activity in declines:
        day = date.fromisoformat(activity.split("@")[1][:10])
        if (day - today).days < window:
            raise InvalidInput(f"{activity} is less than {window} days away: too late to decline",
                               field="activity")
    with db.reading() as uow:
        row = published_plan(uow.session, month)
        plan_id, changes, hosts = row.id, row.changes, row.hosts
        assignments = defaultdict(tuple)
        for a in uow.session.scalars(select(VolunteerAssignment).where(
                VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.status == "planned")):
            assignments[a.member_code] += (a.activity_code,)
        district = district_from(uow.session)
    instance = reference.month_instance(month, district, closed=frozenset(changes["closed"]),
                                        capacity_overrides=changes["capacities"])
    for member, activity in declines:
        if activity not in assignments.get(member, ()):
            raise NotFound(f"{member} is not planned at {activity}")
    fixed = repair(build(instance, reference.settings()), Plan(hosts, dict(assignments)), declines)
    activities = {a.code: a for a in instance.activities}

    def work(uow) -> Declined:
        s = uow.session
        for member, activity in declines:
            s.execute(update(VolunteerAssignment).where(
                VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.member_code == member,
                VolunteerAssignment.activity_code == activity).values(status="declined"))
        new = {m: tuple(a for a in acts if a not in assignments.get(m, ()))
               for m, acts in fixed.plan.assignments.items()
               if set(acts) - set(assignments.get(m, ()))}
        _insert_assignments(s, plan_id, new, activities)
        audit.record(s, actor, action="volunteer_plan.repaired", subject_type="volunteer_plan",
                     subject_id=plan_id, before={"declined": [list(d) for d in declines]},
                     after={"moved": {m: list(a) for m, a in new.items()},
                            "unseated": fixed.unseated, "attention": fixed.attention})
        uow.commit()
        return Declined(new, fixed.unseated, fixed.attention)

    return db.run(work)


def record_attendance(db: Database, actor: Actor, month: str, activity: str,
                      present: list[str]) -> dict[str, int]:
    """The community's sign-in list for one activity; each member present earns the hours."""
    hours = reference.settings().rules.hours_per_activity

    def work(uow) -> dict[str, int]:
        s = uow.session
        plan = published_plan(s, month)
        rows = s.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == plan.id, VolunteerAssignment.activity_code == activity,
            VolunteerAssignment.status == "planned")).all()
        if not rows:
            raise NotFound(f"no activity {activity} in the {month} plan")
        planned = {r.member_code for r in rows}
        strangers = sorted(set(present) - planned)
        if strangers:
            raise InvalidInput(f"not planned at {activity}: {', '.join(strangers)}",
                               field="present")
        now = datetime.now(UTC)
        for r in rows:
            came = r.member_code in present
            if came and r.attended is not True:
                s.add(ServiceHours(member_code=r.member_code, activity_code=activity,
                                   month=month, hours=hours, at=now))
            r.attended = came
        audit.record(s, actor, action="volunteer_activity.attendance",
                     subject_type="volunteer_activity", subject_id=activity,
                     after={"present": len(present), "absent": len(rows) - len(present)})
        uow.commit()
        return {"present": len(present), "absent": len(rows) - len(present)}

    return db.run(work)


def hours(db: Database, member_code: str) -> dict:
    with db.reading() as uow:
        lines = uow.session.scalars(select(ServiceHours).where(
            ServiceHours.member_code == member_code).order_by(ServiceHours.id)).all()
        return {"member": member_code, "total": sum(h.hours for h in lines),
                "lines": [{"activity": h.activity_code, "month": h.month, "hours": h.hours}
                          for h in lines]}


def _remember_unpopular(session, plan_id: int) -> None:
    """Unpopular slots rotate: each member's history decays by half and adds this month's."""
    settings = reference.settings()
    received: dict[str, int] = defaultdict(int)
    for member, slot in session.execute(select(
            VolunteerAssignment.member_code, VolunteerAssignment.slot).where(
            VolunteerAssignment.plan_id == plan_id)):
        day, part = slot.rsplit("-", 1)
        if settings.unpopular(date.fromisoformat(day).weekday(), part):
            received[member] += 1
    for member in session.scalars(select(VolunteerMember)):
        member.history = next_history(member.history, received.get(member.code, 0))
