"""After publishing: a member swaps within the window — exchanges one activity with another
member's (both agree; their community records it), or moves to an open activity with a free
seat. Only the one or two members change places; the plan's independent validator checks the
whole month after the change and the swap is refused, naming what it would break, if any rule
that held before would no longer hold (a host unit short of its own members, a full activity,
a slot the member is busy in or may not attend)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from policies.access import Actor
from policies.volunteering.plan import Plan, validate
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.volunteering import reference
from services.volunteering.models import VolunteerAssignment
from services.volunteering.plans import district_from, published_plan


@dataclass
class Swap:
    member: str
    activity: str          # the member leaves it
    to_activity: str       # and joins this one
    with_member: str | None = None  # who leaves to_activity for activity (an exchange)


def swap(db: Database, actor: Actor, month: str, change: Swap, today: date) -> dict:
    _within_window(today, change.activity, "activity")
    _within_window(today, change.to_activity, "to_activity")
    with db.reading() as uow:
        row = published_plan(uow.session, month)
        plan_id, hosts, changes = row.id, row.hosts, row.changes
        assignments: dict[str, tuple[str, ...]] = {}
        for a in uow.session.scalars(select(VolunteerAssignment).where(
                VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.status == "planned")):
            assignments[a.member_code] = (*assignments.get(a.member_code, ()), a.activity_code)
        district = district_from(uow.session)
    before = Plan(hosts, assignments)
    after = Plan(hosts, _moved(before, change))
    instance = reference.month_instance(month, district, closed=frozenset(changes["closed"]),
                                        capacity_overrides=changes["capacities"])
    held = set(validate(instance, before).violations)
    broken = [v for v in validate(instance, after).violations if v not in held]
    if broken:
        raise Conflict("the swap would break the plan's rules: " + "; ".join(
            f"{v.rule} ({v.clause}) at {v.where}: {v.detail}" for v in broken[:5]),
            field="to_activity")
    slots = {a.code: a for a in instance.activities}

    def work(uow) -> dict:
        s = uow.session
        for member, left, joined in _moves(change):
            _set(s, plan_id, member, left, "swapped")
            _join(s, plan_id, member, slots[joined])
        audit.record(s, actor, action="volunteer_plan.swapped", subject_type="volunteer_plan",
                     subject_id=plan_id,
                     before={m: list(before.assignments[m]) for m, _, _ in _moves(change)},
                     after={m: list(after.assignments[m]) for m, _, _ in _moves(change)})
        uow.commit()
        return {m: list(after.assignments[m]) for m, _, _ in _moves(change)}

    return db.run(work)


def _within_window(today: date, activity: str, field: str) -> None:
    window = reference.settings().rules.decline_window_days
    if (date.fromisoformat(activity.split("@")[1][:10]) - today).days < window:
        raise InvalidInput(f"{activity} is less than {window} days away: too late to swap",
                           field=field)


def _moves(change: Swap) -> list[tuple[str, str, str]]:
    """(member, activity left, activity joined) for each member who changes place."""
    moves = [(change.member, change.activity, change.to_activity)]
    if change.with_member:
        moves.append((change.with_member, change.to_activity, change.activity))
    return moves


def _moved(plan: Plan, change: Swap) -> dict[str, tuple[str, ...]]:
    if change.with_member == change.member:
        raise InvalidInput("a member does not swap with itself", field="with_member")
    if change.to_activity == change.activity:
        raise InvalidInput("the activity to join is the one left", field="to_activity")
    assignments = dict(plan.assignments)
    for member, left, joined in _moves(change):
        acts = assignments.get(member, ())
        if left not in acts:
            raise NotFound(f"{member} is not planned at {left}")
        if joined in acts:
            raise InvalidInput(f"{member} is planned at {joined} already", field="to_activity")
        assignments[member] = tuple(joined if a == left else a for a in acts)
    if change.with_member is None and change.to_activity not in plan.open_activities():
        raise InvalidInput(f"{change.to_activity} is not held this month", field="to_activity")
    return assignments


def _set(s, plan_id: int, member: str, activity: str, status: str) -> None:
    row = s.scalar(select(VolunteerAssignment).where(
        VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.member_code == member,
        VolunteerAssignment.activity_code == activity))
    row.status = status


def _join(s, plan_id: int, member: str, activity) -> None:
    """The member's row at the activity: a new one, or one it had left before, planned again."""
    row = s.scalar(select(VolunteerAssignment).where(
        VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.member_code == member,
        VolunteerAssignment.activity_code == activity.code))
    if row is None:
        s.add(VolunteerAssignment(plan_id=plan_id, member_code=member,
                                  activity_code=activity.code, community=activity.community,
                                  slot=activity.slot, project_type=activity.type.value,
                                  status="planned"))
    else:
        row.status, row.attended = "planned", None
