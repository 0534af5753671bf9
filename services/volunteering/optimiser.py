"""The month's plan: a matheuristic on the flow structure (SCHEDULING.md).

(1) relaxed flow with every candidate open, no minimum fill, K, hosting or one-activity-per-slot
rule: a proven lower bound and a demand signal;
(2) open the K busiest candidates per community and slot; (3) hosts by min-cost matching,
a host's cost being the true cost of its q cheapest own members; (4) the assignment flow with
minimum fill and host quota rewarded; (5) close what is under-filled and repeat until stable.
The plan is then checked by the independent validator in policies/volunteering/plan.py."""

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from policies.volunteering import plan as rules
from policies.volunteering.model import Instance
from policies.volunteering.weights import Settings
from services.volunteering import flow
from services.volunteering.explain import uncovered_reasons
from services.volunteering.network import Network, build

OPEN_PENALTY = 500     # a host may open a closed candidate when no open one fits it
NO_HOST = flow.NO_HOST
MAX_ROUNDS = 12


@dataclass
class Outcome:
    plan: rules.Plan
    objective: int
    lower_bound: int
    verdict: rules.Verdict
    seconds: dict[str, float] = field(default_factory=dict)
    network: Network | None = None

    @property
    def gap(self) -> float:
        return rules.gap(self.objective, self.lower_bound)


def plan_month(instance: Instance, settings: Settings, net: Network | None = None,
               prune_off_type: int | None = None) -> Outcome:
    clock = {"start": time.perf_counter()}
    net = net or build(instance, settings, prune_off_type)
    clock["network"] = time.perf_counter()
    # dropping the one-activity-per-slot rule too keeps it a relaxation, and halves its time
    relaxed = flow.solve(net, np.ones(net.n_acts, dtype=bool), rewards=False, slot_nodes=False)
    clock["bound"] = time.perf_counter()
    open_ = top_k(net, relaxed.loads.astype(float) + net.act_cap * 1e-3, relaxed.loads > 0)
    result, hosts = None, None
    for clock["rounds"] in range(1, MAX_ROUNDS + 1):
        hosts, open_ = choose_hosts(net, open_)
        result = flow.solve(net, open_, hosts)
        under = open_ & (result.loads < net.act_min)
        under[hosts[hosts >= 0]] = False
        if not under.any():
            break
        open_ = open_ & ~under
    plan = to_plan(net, result, hosts)
    plan.uncovered = uncovered_reasons(net, plan)
    clock["plan"] = time.perf_counter()
    verdict = rules.validate(instance, plan, settings.rules.host_quota_max)
    objective = rules.objective(instance, plan, settings.weights)
    clock["validated"] = time.perf_counter()
    return Outcome(plan, objective, relaxed.cost, verdict, _laps(clock), net)


def top_k(net: Network, score: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Open the K best-scored wanted candidates in every community and slot."""
    k = net.instance.per_community_slot
    order = np.lexsort((-score, net.cs_of_act))
    cs = net.cs_of_act[order]
    first = np.r_[0, np.nonzero(np.diff(cs))[0] + 1]
    rank = np.arange(len(cs)) - np.repeat(first, np.diff(np.r_[first, len(cs)]))
    open_ = np.zeros(net.n_acts, dtype=bool)
    open_[order[rank < k]] = True
    return open_ & wanted


def host_costs(net: Network, open_: np.ndarray):
    """(unit, activity, cost) for every candidate in the unit's paired community that at least
    q(u) own members may attend; cost = their q cheapest arcs (+ a penalty if still closed)."""
    unit = net.member_unit[net.arc_member]
    sel = np.nonzero(net.act_comm[net.arc_act] == net.unit_comm[unit])[0]
    u, a, c = unit[sel], net.arc_act[sel], net.arc_cost[sel]
    order = np.lexsort((c, a, u))
    u, a, c = u[order], a[order], c[order]
    group = np.r_[True, (np.diff(u) != 0) | (np.diff(a) != 0)]
    starts = np.nonzero(group)[0]
    gid = np.cumsum(group) - 1
    rank = np.arange(len(u)) - starts[gid]
    take = rank < net.quota[u]
    sums = np.bincount(gid[take], weights=c[take], minlength=len(starts))
    counts = np.bincount(gid[take], minlength=len(starts))
    gu, ga = u[starts], a[starts]
    ok = (counts >= net.quota[gu]) & (net.act_cap[ga] >= net.quota[gu])
    cost = sums + OPEN_PENALTY * (~open_[ga])
    return gu[ok], ga[ok], cost[ok].astype(np.int64)


def choose_hosts(net: Network, open_: np.ndarray):
    """Every unit hosts one activity in its paired community, one unit per activity, by
    min-cost matching; a unit that fits no open activity opens a closed candidate."""
    gu, ga, cost = host_costs(net, open_)
    n_u, n_a = len(net.quota), net.n_acts
    smcf = min_cost_flow.SimpleMinCostFlow()
    sink = n_u + n_a
    smcf.add_arcs_with_capacity_and_unit_cost(gu, n_u + ga, np.ones(len(gu), dtype=np.int64), cost)
    smcf.add_arcs_with_capacity_and_unit_cost(
        n_u + np.arange(n_a), np.full(n_a, sink), np.ones(n_a, dtype=np.int64),
        np.zeros(n_a, dtype=np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_u), np.full(n_u, sink), np.ones(n_u, dtype=np.int64), np.full(n_u, NO_HOST))
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_u] = 1
    supplies[sink] = -n_u
    smcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    if smcf.solve() != smcf.OPTIMAL:
        raise RuntimeError("host matching failed")
    used = smcf.flows(np.arange(len(gu))) > 0
    hosts = np.full(n_u, -1, dtype=np.int64)
    hosts[gu[used]] = ga[used]
    open_ = open_.copy()
    open_[hosts[hosts >= 0]] = True
    return hosts, enforce_k(net, open_, hosts)


def enforce_k(net: Network, open_: np.ndarray, hosts: np.ndarray) -> np.ndarray:
    """Hosting may open a candidate in a full community-slot: close a non-hosted one there."""
    score = np.zeros(net.n_acts)
    score[hosts[hosts >= 0]] = 1.0
    return top_k(net, score + net.act_cap * 1e-3, open_)


def to_plan(net: Network, result: flow.FlowResult, hosts: np.ndarray) -> rules.Plan:
    inst = net.instance
    used = np.nonzero(result.arc_flow > 0)[0]
    assigned: dict[str, list[str]] = {}
    for m, a in zip(net.arc_member[used].tolist(), net.arc_act[used].tolist(), strict=True):
        assigned.setdefault(inst.members[m].code, []).append(inst.activities[a].code)
    plan = rules.Plan(
        hosts={inst.units[u].code: inst.activities[a].code
               for u, a in enumerate(hosts.tolist()) if a >= 0},
        assignments={code: tuple(acts) for code, acts in assigned.items()})
    return plan


def _laps(clock: dict[str, float]) -> dict[str, float]:
    rounds = clock.pop("rounds", 0)
    names = list(clock)
    laps = {n: round(clock[n] - clock[p], 3) for p, n in zip(names, names[1:], strict=False)}
    return laps | {"rounds": rounds}
