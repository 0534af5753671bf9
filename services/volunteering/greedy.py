"""The baseline a secretary with a spreadsheet would make: first come, first seated.

Open the K largest candidates per community and slot; each unit takes the first free activity
of its paired community; members in list order take their cheapest eligible seat. Used only
as the benchmark's baseline."""

import numpy as np

from policies.volunteering.plan import Plan
from services.volunteering.network import Network
from services.volunteering.optimiser import top_k


def greedy(net: Network) -> Plan:
    inst = net.instance
    open_ = top_k(net, net.act_cap.astype(float), np.ones(net.n_acts, dtype=bool))
    hosts, taken = {}, set()
    for u, unit in enumerate(inst.units):
        for a in np.nonzero(open_ & (net.act_comm == net.unit_comm[u]))[0].tolist():
            if a not in taken:
                hosts[unit.code] = inst.activities[a].code
                taken.add(a)
                break
    free = net.act_cap.copy()
    assignments = {}
    for m, member in enumerate(inst.members):
        arcs = net.arcs_of(m)
        acts, costs = net.arc_act[arcs], net.arc_cost[arcs]
        chosen, busy = [], set()
        for i in np.argsort(costs, kind="stable").tolist():
            a = int(acts[i])
            if open_[a] and free[a] > 0 and net.act_slot[a] not in busy:
                chosen.append(inst.activities[a].code)
                busy.add(net.act_slot[a])
                free[a] -= 1
                if len(chosen) == member.requested:
                    break
        assignments[member.code] = tuple(chosen)
    return Plan(hosts, assignments)
