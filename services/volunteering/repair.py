"""After publishing: members who decline are re-seated, everyone else keeps their place.

Only the affected members move: a small min-cost flow over their eligible open activities with
the seats left, never the activity they declined nor a slot where they are already busy."""

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from policies.volunteering.plan import Plan
from services.volunteering.network import Network


@dataclass
class Repair:
    plan: Plan
    moved: dict[str, tuple[str, ...]]   # member -> new activities
    unseated: list[str]                 # declined and no seat left
    attention: dict[str, str] = field(default_factory=dict)  # activity -> what is now short


def repair(net: Network, plan: Plan, declines: list[tuple[str, str]]) -> Repair:
    inst = net.instance
    act_ix = {a.code: i for i, a in enumerate(inst.activities)}
    member_ix = {m.code: i for i, m in enumerate(inst.members)}
    declined: dict[str, set[str]] = {}
    for member, activity in declines:
        declined.setdefault(member, set()).add(activity)
    kept = {m: tuple(a for a in plan.assignments.get(m, ()) if a not in declined.get(m, set()))
            for m in declined}
    assignments = dict(plan.assignments) | kept
    loads = Plan(plan.hosts, assignments).loads()
    opened = plan.open_activities()
    free = {a: inst.activities[act_ix[a]].capacity - loads.get(a, 0) for a in opened}
    affected = sorted(declined, key=lambda m: member_ix[m])
    tails, heads, costs, pairs = [], [], [], []
    act_node = {}
    for k, member in enumerate(affected):
        m = member_ix[member]
        busy = {inst.activities[act_ix[a]].slot for a in kept[member]}
        arcs = net.arcs_of(m)
        for a, cost in zip(net.arc_act[arcs].tolist(), net.arc_cost[arcs].tolist(), strict=True):
            act = inst.activities[a]
            if act.code in declined[member] or act.code not in opened or act.slot in busy:
                continue
            if free.get(act.code, 0) <= 0:
                continue
            node = act_node.setdefault(act.code, len(affected) + len(act_node))
            tails.append(k)
            heads.append(node)
            costs.append(cost)
            pairs.append((member, act.code))
    sink = len(affected) + len(act_node)
    smcf = min_cost_flow.SimpleMinCostFlow()
    n = len(tails)
    if n:
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.array(tails), np.array(heads), np.ones(n, dtype=np.int64), np.array(costs))
    for code, node in act_node.items():
        smcf.add_arc_with_capacity_and_unit_cost(node, sink, free[code], 0)
    big = net.settings.weights.uncovered.value
    for k in range(len(affected)):
        smcf.add_arc_with_capacity_and_unit_cost(k, sink, 1, big)
        smcf.set_node_supply(k, 1)
    smcf.set_node_supply(sink, -len(affected))
    smcf.solve()
    moved: dict[str, list[str]] = {m: list(kept[m]) for m in affected}
    for arc, (member, code) in enumerate(pairs):
        if smcf.flow(arc) > 0:
            moved[member].append(code)
    for member in affected:
        assignments[member] = tuple(moved[member])
    attention = _fill_gaps(net, plan.hosts, assignments, {a for _, a in declines})
    unseated = [m for m in affected if not assignments[m]]
    return Repair(Plan(plan.hosts, assignments,
                       {m: "已请假，相应时段无空余座位" for m in unseated}),
                  {m: tuple(moved[m]) for m in affected}, unseated, attention)


def _fill_gaps(net: Network, hosts: dict[str, str], assignments: dict[str, tuple[str, ...]],
               left: set[str]) -> dict[str, str]:
    """A declined seat may leave its activity under its minimum or its host unit short of its
    quota: offer it to members who asked for two activities and have one, never moving anyone
    (the host unit's own members first)."""
    inst = net.instance
    act_ix = {a.code: i for i, a in enumerate(inst.activities)}
    host_of = {a: u for u, a in hosts.items()}
    quota = dict(zip([u.code for u in inst.units], net.quota.tolist(), strict=True))
    attention = {}
    for code in sorted(left):
        a = act_ix[code]
        act = inst.activities[a]
        unit = host_of.get(code)
        while True:
            members = [m for m, acts in assignments.items() if code in acts]
            own = sum(inst.members[member_index(net, m)].unit == unit for m in members)
            short_host = unit is not None and own < quota[unit]
            if len(members) >= act.capacity or not (short_host or len(members) < act.minimum_fill):
                break
            spare = _spare_member(net, assignments, a, unit if short_host else None)
            if spare is None:
                attention[code] = (f"主办单位{unit}到场党员{own}人，少于{quota[unit]}人，"
                                   f"请本单位另派党员" if short_host else
                                   f"报名{len(members)}人，少于最低{act.minimum_fill}人")
                break
            assignments[spare] = (*assignments.get(spare, ()), code)
    return attention


def member_index(net: Network, code: str) -> int:
    index = getattr(net, "_member_index", None)
    if index is None:
        index = {m.code: i for i, m in enumerate(net.instance.members)}
        net._member_index = index
    return index[code]


def _spare_member(net: Network, assignments, a: int, unit: str | None) -> str | None:
    """The cheapest member with a free request who may attend activity a and is free then."""
    inst = net.instance
    slot = inst.activities[a].slot
    arcs = np.nonzero(net.arc_act == a)[0]
    best, best_cost = None, None
    slot_of = {x.code: x.slot for x in inst.activities}
    for arc in arcs.tolist():
        member = inst.members[int(net.arc_member[arc])]
        acts = assignments.get(member.code, ())
        if len(acts) >= member.requested or (unit and member.unit != unit):
            continue
        if any(slot_of[x] == slot for x in acts):
            continue
        cost = int(net.arc_cost[arc])
        if best_cost is None or cost < best_cost:
            best, best_cost = member.code, cost
    return best
