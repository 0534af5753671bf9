"""The month as arrays: activities, members and every eligible member→activity arc with its
cost, built once per month so the optimiser, the explanation and the repair share them."""

from dataclasses import dataclass

import numpy as np

from policies.volunteering.candidates import distance_km, nearest_community
from policies.volunteering.model import TYPE_INDEX, Instance, SlotKind
from policies.volunteering.weights import Settings


@dataclass
class Network:
    instance: Instance
    settings: Settings
    act_comm: np.ndarray      # activity -> community index
    act_slot: np.ndarray      # activity -> slot index
    act_cap: np.ndarray
    act_min: np.ndarray
    cs_of_act: np.ndarray     # activity -> (community, slot) index
    unit_comm: np.ndarray     # unit -> paired community index
    member_unit: np.ndarray
    member_req: np.ndarray
    quota: np.ndarray         # unit -> q(u)
    arc_member: np.ndarray    # eligible arcs, sorted by member
    arc_act: np.ndarray
    arc_cost: np.ndarray
    member_start: np.ndarray  # arcs of member m are [member_start[m], member_start[m + 1])

    @property
    def n_members(self) -> int:
        return len(self.member_unit)

    @property
    def n_acts(self) -> int:
        return len(self.act_cap)

    def arcs_of(self, m: int) -> slice:
        return slice(int(self.member_start[m]), int(self.member_start[m + 1]))


def build(instance: Instance, settings: Settings, prune_off_type: int | None = None) -> Network:
    """prune_off_type: keep only this many cheapest arcs outside a member's claimed types
    (city size: memory and time; the bound is then the pruned model's)."""
    w = settings.weights
    comm_ix = {c.code: i for i, c in enumerate(instance.communities)}
    slot_ix = {s.code: i for i, s in enumerate(instance.slots)}
    unit_ix = {u.code: i for i, u in enumerate(instance.units)}
    acts = instance.activities
    act_comm = np.array([comm_ix[a.community] for a in acts], dtype=np.int64)
    act_slot = np.array([slot_ix[a.slot] for a in acts], dtype=np.int64)
    act_type = np.array([TYPE_INDEX[a.type] for a in acts], dtype=np.int64)
    cs_of_act = act_comm * len(instance.slots) + act_slot
    slot_kind = [s.kind for s in instance.slots]
    unpopular = np.array([s.unpopular for s in instance.slots], dtype=np.int64)[act_slot]
    by_comm_kind: dict[tuple[int, SlotKind], np.ndarray] = {}
    for kind in SlotKind:
        kind_of_act = np.array([slot_kind[s] is kind for s in act_slot], dtype=bool)
        for c in range(len(instance.communities)):
            by_comm_kind[(c, kind)] = np.nonzero(kind_of_act & (act_comm == c))[0]
    places = instance.communities
    dist_cost = np.array([[round(w.distance_per_km.value * distance_km(a, b)) for b in places]
                          for a in places], dtype=np.int64)
    nearest = nearest_community(places)
    unit_comm = np.array([comm_ix[u.community] for u in instance.units], dtype=np.int64)
    arcs_m, arcs_a, arcs_c, start = [], [], [], [0]
    for m, member in enumerate(instance.members):
        home = comm_ix[member.home]
        allowed = {home, int(unit_comm[unit_ix[member.unit]])}
        if member.home in nearest:
            allowed.add(comm_ix[nearest[member.home]])
        chosen = [by_comm_kind[(c, k)] for c in sorted(allowed) for k in SlotKind
                  if member.availability.allows(k)]
        a = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
        mask = sum(1 << TYPE_INDEX[t] for t in member.claimed)
        off_type = ((1 << act_type[a]) & mask) == 0
        cost = (dist_cost[home, act_comm[a]] + w.type_mismatch.value * off_type
                + w.unpopular_slot.value * (1 + 2 * member.history) * unpopular[a])
        if prune_off_type is not None and off_type.sum() > prune_off_type:
            off = np.nonzero(off_type)[0]
            keep = np.concatenate([np.nonzero(~off_type)[0],
                                   off[np.argsort(cost[off], kind="stable")[:prune_off_type]]])
            keep.sort()
            a, cost = a[keep], cost[keep]
        arcs_m.append(np.full(len(a), m, dtype=np.int64))
        arcs_a.append(a)
        arcs_c.append(cost.astype(np.int64))
        start.append(start[-1] + len(a))
    member_unit = np.array([unit_ix[m.unit] for m in instance.members], dtype=np.int64)
    sizes = np.bincount(member_unit, minlength=len(instance.units))
    return Network(
        instance=instance, settings=settings, act_comm=act_comm, act_slot=act_slot,
        act_cap=np.array([a.capacity for a in acts], dtype=np.int64),
        act_min=np.array([a.minimum_fill for a in acts], dtype=np.int64),
        cs_of_act=cs_of_act, unit_comm=unit_comm, member_unit=member_unit,
        member_req=np.array([m.requested for m in instance.members], dtype=np.int64),
        quota=np.minimum(settings.rules.host_quota_max, sizes),
        arc_member=np.concatenate(arcs_m) if arcs_m else np.zeros(0, dtype=np.int64),
        arc_act=np.concatenate(arcs_a) if arcs_a else np.zeros(0, dtype=np.int64),
        arc_cost=np.concatenate(arcs_c) if arcs_c else np.zeros(0, dtype=np.int64),
        member_start=np.array(start, dtype=np.int64))
