"""Members to activities as one min-cost network flow (OR-Tools SimpleMinCostFlow).

member → (member-slot node, for members asking for two: no two activities in one slot)
→ (host node, for the host unit's own members: its quota first, with a reward) → activity
→ sink (minimum fill first, with a reward; then the convex load marginals), and elastic
member → sink arcs priced as a missing second activity or an uncovered member."""

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from services.volunteering.network import Network

FILL_REWARD = 2000   # pulls members into an activity until it reaches its minimum fill
HOST_REWARD = 3000   # pulls a host unit's own members into its concentrated activity
NO_HOST = 10 ** 6    # a unit hosting no activity costs more than any plan that hosts it


@dataclass
class FlowResult:
    cost: int                  # the flow's own cost (rewards included)
    arc_flow: np.ndarray       # per eligible arc of the network: 1 if used
    loads: np.ndarray          # per activity


def solve(net: Network, open_: np.ndarray, hosts: np.ndarray | None = None,
          rewards: bool = True, arc_mask: np.ndarray | None = None,
          slot_nodes: bool = True) -> FlowResult:
    """open_: bool per activity; hosts: activity index per unit (-1: none)."""
    w = net.settings.weights
    use = open_[net.arc_act] if arc_mask is None else (open_[net.arc_act] & arc_mask)
    idx = np.nonzero(use)[0]
    am, aa, ac = net.arc_member[idx], net.arc_act[idx], net.arc_cost[idx]
    n_m, n_a = net.n_members, net.n_acts
    tails, heads, caps, costs = [], [], [], []

    def add(t, h, cap, cost):
        tails.append(np.asarray(t, dtype=np.int64))
        heads.append(np.asarray(h, dtype=np.int64))
        caps.append(np.asarray(cap, dtype=np.int64))
        costs.append(np.asarray(cost, dtype=np.int64))

    act_node0 = n_m
    sink = act_node0 + n_a
    next_node = sink + 1
    # member-slot nodes for members asking for two
    two = (net.member_req[am] == 2) & slot_nodes
    key = am * (int(net.act_slot.max(initial=0)) + 1) + net.act_slot[aa]
    uniq, inv = np.unique(key[two], return_inverse=True)
    ms_nodes = next_node + np.arange(len(uniq))
    next_node += len(uniq)
    source_of_arc = am.copy()
    source_of_arc[two] = ms_nodes[inv]
    add(am[two][np.unique(inv, return_index=True)[1]] if len(uniq) else [], ms_nodes,
        np.ones(len(uniq)), np.zeros(len(uniq)))
    # host nodes: the host unit's own members reach its activity through the host node
    head_of_arc = act_node0 + aa
    if hosts is not None:
        hosted = np.nonzero(hosts >= 0)[0]
        host_node = np.full(len(hosts), -1, dtype=np.int64)
        host_node[hosted] = next_node + np.arange(len(hosted))
        next_node += len(hosted)
        own = hosts[net.member_unit[am]] == aa
        head_of_arc = np.where(own, host_node[net.member_unit[am]], head_of_arc)
        q = net.quota[hosted]
        reward = -HOST_REWARD if rewards else 0
        add(host_node[hosted], act_node0 + hosts[hosted], q, np.full(len(hosted), reward))
        add(host_node[hosted], act_node0 + hosts[hosted], np.full(len(hosted), NO_HOST),
            np.zeros(len(hosted)))
    main_first = sum(len(x) for x in tails)
    add(source_of_arc, head_of_arc, np.ones(len(idx)), ac)
    # activity -> sink: minimum fill, then the convex load marginals
    opened = np.nonzero(open_)[0]
    cap, mn = net.act_cap[opened], np.minimum(net.act_min[opened], net.act_cap[opened])
    half, eighty = cap // 2, (cap * 4) // 5
    points = np.sort(np.stack([np.zeros_like(cap), mn, half, eighty, cap]), axis=0)
    reward = -FILL_REWARD if rewards else 0
    for lo, hi in zip(points[:-1], points[1:], strict=True):
        # the unit taking the load from lo to lo + 1 costs the convex marginal at lo
        marginal = np.where(lo >= eighty, w.load_above_80.value,
                            np.where(lo >= half, w.load_half_to_80.value, 0))
        add(act_node0 + opened, np.full(len(opened), sink), hi - lo,
            marginal + reward * (lo < mn))
    # elastic arcs: a missing second activity, an uncovered member
    members = np.arange(n_m)
    add(members, np.full(n_m, sink), np.ones(n_m), np.full(n_m, w.uncovered.value))
    seconds = np.nonzero(net.member_req == 2)[0]
    add(seconds, np.full(len(seconds), sink), np.ones(len(seconds)),
        np.full(len(seconds), w.second_activity_missing.value))
    smcf = min_cost_flow.SimpleMinCostFlow()
    t, h, c, k = (np.concatenate(x) for x in (tails, heads, caps, costs))
    keep = c > 0
    all_arcs = np.arange(len(t))
    smcf.add_arcs_with_capacity_and_unit_cost(t[keep], h[keep], c[keep], k[keep])
    supplies = np.zeros(next_node, dtype=np.int64)
    supplies[:n_m] = net.member_req
    supplies[sink] = -int(net.member_req.sum())
    smcf.set_nodes_supplies(np.arange(next_node), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow answered {status}")
    arc_index = np.cumsum(keep) - 1
    main = all_arcs[main_first:main_first + len(idx)]
    flows = smcf.flows(arc_index[main])
    arc_flow = np.zeros(len(net.arc_act), dtype=np.int64)
    arc_flow[idx] = flows
    loads = np.bincount(aa, weights=flows, minlength=n_a).astype(np.int64)
    return FlowResult(cost=int(smcf.optimal_cost()), arc_flow=arc_flow, loads=loads)
