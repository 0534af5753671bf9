"""Why a month cannot seat everyone, and what would fix it — never a bare "infeasible".

An O(n) pre-check counts the seats that can be open under K against the members; an exact
max-coverage flow over (community × slot kind) groups finds the saturated groups; each member
the plan leaves uncovered gets its own reason."""

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from policies.volunteering.model import AVAILABILITY_ZH, Availability, SlotKind
from policies.volunteering.plan import Plan
from services.volunteering.network import Network

KIND_ZH = {SlotKind.WEEKEND: "周末", SlotKind.EVENING: "工作日晚上"}
KINDS = list(SlotKind)


@dataclass
class Group:
    community: str
    kind: SlotKind
    seats: int            # seats that can be open here under K
    competing: int        # members who may sit here
    short: int            # members left out who could only have sat in saturated groups like this


@dataclass
class Explanation:
    members: int
    seats_under_k: int
    seats_without_k: int
    max_coverage: int
    per_community_slot: int
    groups: list[Group] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return self.max_coverage >= self.members

    @property
    def summary_zh(self) -> str:
        if self.feasible:
            return f"{self.members}名党员均可安排（可开座位{self.seats_under_k}个）"
        return (f"{self.members}名党员需要座位；每社区每时段最多"
                f"开{self.per_community_slot}个活动时最多{self.seats_under_k}个座位，"
                f"至多安排{self.max_coverage}人，缺{self.members - self.max_coverage}人")


def seats_per_group(net: Network) -> tuple[np.ndarray, int]:
    """Seats under K per (community, kind) and the seats if K did not bind."""
    inst = net.instance
    k = inst.per_community_slot
    n_c = len(inst.communities)
    kind_of_slot = np.array([KINDS.index(s.kind) for s in inst.slots])
    seats = np.zeros((n_c, len(KINDS)), dtype=np.int64)
    order = np.lexsort((-net.act_cap, net.cs_of_act))
    cs = net.cs_of_act[order]
    first = (np.r_[0, np.nonzero(np.diff(cs))[0] + 1] if len(cs)
             else np.zeros(0, dtype=np.int64))
    rank = np.arange(len(cs)) - np.repeat(first, np.diff(np.r_[first, len(cs)]))
    top = order[rank < k]
    np.add.at(seats, (net.act_comm[top], kind_of_slot[net.act_slot[top]]), net.act_cap[top])
    return seats, int(net.act_cap.sum())


def member_groups(net: Network) -> list[set[int]]:
    """The (community × kind) groups each member may sit in, as flat indices."""
    kind_of_slot = np.array([KINDS.index(s.kind) for s in net.instance.slots])
    flat = net.act_comm * len(KINDS) + kind_of_slot[net.act_slot]
    out = []
    for m in range(net.n_members):
        out.append(set(np.unique(flat[net.arc_act[net.arcs_of(m)]]).tolist()))
    return out


def explain(net: Network) -> Explanation:
    inst = net.instance
    seats, without_k = seats_per_group(net)
    groups_of = member_groups(net)
    n_m, n_g = net.n_members, seats.size
    tails, heads = [], []
    for m, gs in enumerate(groups_of):
        tails.extend([m] * len(gs))
        heads.extend(n_m + g for g in gs)
    sink = n_m + n_g
    smcf = min_cost_flow.SimpleMinCostFlow()
    ones = np.ones(len(tails), dtype=np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(np.array(tails, dtype=np.int64),
                                              np.array(heads, dtype=np.int64), ones, 0 * ones)
    smcf.add_arcs_with_capacity_and_unit_cost(n_m + np.arange(n_g), np.full(n_g, sink),
                                              seats.ravel(), np.zeros(n_g, dtype=np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(np.arange(n_m), np.full(n_m, sink),
                                              np.ones(n_m, dtype=np.int64),
                                              np.ones(n_m, dtype=np.int64))
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_m] = 1
    supplies[sink] = -n_m
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    smcf.solve()
    uncovered = int(smcf.optimal_cost())
    base = len(tails)
    used = smcf.flows(np.arange(base, base + n_g))
    left_out = [m for m in range(n_m) if smcf.flow(base + n_g + m) > 0]
    explanation = Explanation(n_m, int(seats.sum()), without_k, n_m - uncovered,
                              inst.per_community_slot)
    _saturated(explanation, net, seats, used, groups_of, left_out)
    _fixes(explanation, net, seats, without_k)
    return explanation


def _saturated(out: Explanation, net, seats, used, groups_of, left_out) -> None:
    competing = np.zeros(seats.size, dtype=np.int64)
    for gs in groups_of:
        for g in gs:
            competing[g] += 1
    short = np.zeros(seats.size, dtype=np.int64)
    for m in left_out:
        home = [c.code for c in net.instance.communities].index(net.instance.members[m].home)
        own = [g for g in groups_of[m] if g // len(KINDS) == home] or sorted(groups_of[m])[:1]
        if own:
            short[own[0]] += 1
    flat_seats = seats.ravel()
    for g in np.nonzero((used >= flat_seats) & (short > 0))[0].tolist():
        out.groups.append(Group(net.instance.communities[g // len(KINDS)].code,
                                KINDS[g % len(KINDS)], int(flat_seats[g]), int(competing[g]),
                                int(short[g])))
    out.groups.sort(key=lambda g: -g.short)


def _fixes(out: Explanation, net, seats, without_k) -> None:
    names = {c.code: c.name_zh for c in net.instance.communities}
    for g in out.groups:
        out.fixes.append(f"{names[g.community]}增加{g.short}个{KIND_ZH[g.kind]}座位"
                         f"（提高项目容量或新增契约项目）")
    if without_k > out.seats_under_k and not out.feasible:
        out.fixes.append(f"放宽每社区每时段活动上限（K={net.instance.per_community_slot}）"
                         f"可多开{without_k - out.seats_under_k}个座位")
    if not out.feasible:
        out.fixes.append("放宽可参加范围（家、包保、最近社区之外的相邻社区）")


def uncovered_reasons(net: Network, plan: Plan) -> dict[str, str]:
    """A reason for each member the plan leaves without an activity."""
    inst = net.instance
    names = {c.code: c.name_zh for c in inst.communities}
    opened = plan.open_activities()
    loads = plan.loads()
    reasons = {}
    for m, member in enumerate(inst.members):
        if plan.assignments.get(member.code):
            continue
        acts = [inst.activities[a] for a in net.arc_act[net.arcs_of(m)].tolist()]
        places = "、".join(sorted({names[a.community] for a in acts})) or names[member.home]
        availability = AVAILABILITY_ZH[member.availability]
        if not acts:
            reasons[member.code] = (f"仅{availability}可参加；"
                                    f"{names[member.home]}等可去社区没有该时段的项目")
        elif all(a.code not in opened or loads[a.code] >= a.capacity for a in acts):
            reasons[member.code] = f"{availability}可参加；{places}的相应时段座位已满"
        else:
            reasons[member.code] = f"{availability}可参加；余下座位所在活动不足最低人数"
        if member.availability is Availability.BOTH:
            reasons[member.code] = reasons[member.code].replace("均可可参加", "周末和晚上均可")
    return reasons
