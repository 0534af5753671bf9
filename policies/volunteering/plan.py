"""A month's plan and its two pure readings: the objective, and the verdict of an independent
check of every hard rule (it shares no code with the optimiser that made the plan)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from policies.volunteering.candidates import distance_km, eligible_communities, nearest_community
from policies.volunteering.model import Activity, Instance, Member, Slot
from policies.volunteering.weights import Weights


@dataclass
class Plan:
    hosts: dict[str, str]                     # unit -> the activity it hosts (its 集中活动)
    assignments: dict[str, tuple[str, ...]]   # member -> activities
    uncovered: dict[str, str] = field(default_factory=dict)  # member -> reason (zh)

    def open_activities(self) -> set[str]:
        opened = set(self.hosts.values())
        for acts in self.assignments.values():
            opened.update(acts)
        return opened

    def loads(self) -> Counter:
        return Counter(a for acts in self.assignments.values() for a in acts)


@dataclass(frozen=True)
class Violation:
    # coverage | double_booking | eligibility | capacity | minimum_fill | per_slot | hosting
    rule: str
    clause: str    # QL-11a / QL-11b / the project's own rule
    where: str
    detail: str


@dataclass
class Verdict:
    violations: list[Violation]

    @property
    def holds(self) -> bool:
        return not self.violations

    def by_rule(self) -> Counter:
        return Counter(v.rule for v in self.violations)


def gap(objective: int, lower_bound: int) -> float:
    """How far a plan may be from the best one: its objective over the proven lower bound."""
    return 0.0 if objective <= 0 else (objective - lower_bound) / objective


def member_cost(member: Member, activity: Activity, slot: Slot, km: float, w: Weights) -> int:
    cost = round(w.distance_per_km.value * km)
    if activity.type not in member.claimed:
        cost += w.type_mismatch.value
    if slot.unpopular:
        cost += w.unpopular_slot.value * (1 + 2 * member.history)
    return cost


def load_cost(load: int, capacity: int, w: Weights) -> int:
    half, eighty = capacity // 2, (capacity * 4) // 5
    return (w.load_half_to_80.value * max(0, min(load, eighty) - half)
            + w.load_above_80.value * max(0, load - eighty))


def objective(instance: Instance, plan: Plan, w: Weights) -> int:
    activities = {a.code: a for a in instance.activities}
    slots = {s.code: s for s in instance.slots}
    places = {c.code: c for c in instance.communities}
    total = 0
    for member in instance.members:
        acts = plan.assignments.get(member.code, ())
        for code in acts:
            a = activities[code]
            km = distance_km(places[member.home], places[a.community])
            total += member_cost(member, a, slots[a.slot], km, w)
        if not acts:
            total += w.uncovered.value
        if member.requested == 2 and len(acts) < 2:
            total += w.second_activity_missing.value
    for code, load in plan.loads().items():
        total += load_cost(load, activities[code].capacity, w)
    return total


def validate(instance: Instance, plan: Plan, host_quota_max: int = 3) -> Verdict:
    """Every hard rule of the month, each violation with where and by how much."""
    activities = {a.code: a for a in instance.activities}
    units = {u.code: u for u in instance.units}
    nearest = nearest_community(instance.communities)
    out: list[Violation] = []
    _members(instance, plan, activities, units, nearest, out)
    _activities(instance, plan, activities, out)
    _hosting(instance, plan, activities, units, host_quota_max, out)
    return Verdict(out)


def _members(instance, plan, activities, units, nearest, out) -> None:
    slots = {s.code: s for s in instance.slots}
    for m in instance.members:
        acts = plan.assignments.get(m.code, ())
        if not 1 <= len(acts) <= m.requested:
            out.append(Violation("coverage", "QL-11b", m.code,
                                 f"{len(acts)} activities, requested 1..{m.requested}"))
        seen = Counter(activities[a].slot for a in acts if a in activities)
        for slot, n in seen.items():
            if n > 1:
                out.append(Violation("double_booking", "QL-11b", m.code,
                                     f"{n} activities at {slot}"))
        allowed = eligible_communities(m, units[m.unit].community, nearest)
        for code in acts:
            a = activities.get(code)
            if a is None:
                out.append(Violation("eligibility", "QL-11b", m.code, f"unknown activity {code}"))
            elif a.community not in allowed or not m.availability.allows(slots[a.slot].kind):
                out.append(Violation("eligibility", "QL-11b", m.code, f"may not attend {code}"))


def _activities(instance, plan, activities, out) -> None:
    loads = plan.loads()
    per_slot: Counter = Counter()
    for code in plan.open_activities():
        a = activities.get(code)
        if a is None:
            continue
        load = loads.get(code, 0)
        per_slot[(a.community, a.slot)] += 1
        if load > a.capacity:
            out.append(Violation("capacity", "LK-09", code, f"{load} > capacity {a.capacity}"))
        if load < a.minimum_fill:
            out.append(Violation("minimum_fill", "LK-09", code,
                                 f"{load} < minimum {a.minimum_fill}"))
        if a.slot in instance.closed or f"{a.community}@{a.slot}" in instance.closed:
            out.append(Violation("per_slot", "secretary", code, "slot closed by the secretary"))
    for (community, slot), n in per_slot.items():
        if n > instance.per_community_slot:
            out.append(Violation("per_slot", "project", f"{community}@{slot}",
                                 f"{n} > {instance.per_community_slot} activities"))


def _hosting(instance, plan, activities, units, host_quota_max, out) -> None:
    members_of: dict[str, int] = Counter(m.unit for m in instance.members)
    attendance: dict[str, Counter] = defaultdict(Counter)
    unit_of = {m.code: m.unit for m in instance.members}
    for member, acts in plan.assignments.items():
        for a in acts:
            attendance[a][unit_of[member]] += 1
    hosted = Counter(plan.hosts.values())
    for code, n in hosted.items():
        if n > 1:
            out.append(Violation("hosting", "QL-11a", code, f"hosted by {n} units"))
    for unit in instance.units:
        code = plan.hosts.get(unit.code)
        a = activities.get(code) if code else None
        if a is None or a.community != unit.community:
            out.append(Violation("hosting", "QL-11a", unit.code,
                                 "no concentrated activity in its paired community"))
            continue
        quota = min(host_quota_max, members_of[unit.code])
        own = attendance[code][unit.code]
        if own < quota:
            out.append(Violation("hosting", "QL-11a", unit.code,
                                 f"{own} own members at {code}, needs {quota}"))


def unpopular_received(instance: Instance, plan: Plan) -> Counter:
    slots = {s.code: s for s in instance.slots}
    activities = {a.code: a for a in instance.activities}
    return Counter({m: sum(slots[activities[a].slot].unpopular for a in acts)
                    for m, acts in plan.assignments.items()})


def next_history(previous: int, received: int) -> int:
    """The history term decays by half each month, so unpopular slots rotate (SCHEDULING.md)."""
    return previous // 2 + received
