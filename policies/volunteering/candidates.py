"""Which activities a month can hold (from the contracts' projects and the slots) and who may
attend which (home, paired or nearest community, in a slot of the member's availability)."""

import math

from policies.volunteering.model import Activity, Community, Contract, Member, Slot
from policies.volunteering.slots import runs_in


def candidate_activities(contracts: list[Contract], slots: list[Slot],
                         closed: frozenset[str] = frozenset(),
                         capacity_overrides: dict[str, int] | None = None) -> list[Activity]:
    """Every project of every contract in every open slot its pattern meets. A secretary's
    closed slots (a community event, a hall under repair) hold nothing."""
    overrides = capacity_overrides or {}
    activities = []
    for contract in contracts:
        for project in contract.projects:
            capacity = overrides.get(project.code, project.capacity)
            if capacity <= 0:
                continue
            for slot in slots:
                if slot.code in closed or f"{contract.community}@{slot.code}" in closed:
                    continue
                if any(runs_in(p.weekday, p.part, slot) for p in project.patterns):
                    activities.append(Activity(
                        code=f"{project.code}@{slot.code}", community=contract.community,
                        project=project.code, type=project.type, slot=slot.code,
                        capacity=capacity))
    return activities


def distance_km(a: Community, b: Community) -> float:
    return math.hypot(a.x_km - b.x_km, a.y_km - b.y_km)


def nearest_community(communities: list[Community]) -> dict[str, str]:
    """Each community's nearest other community (ties broken by code, for determinism)."""
    nearest = {}
    for c in communities:
        others = [o for o in communities if o.code != c.code]
        if others:
            nearest[c.code] = min(others, key=lambda o: (distance_km(c, o), o.code)).code
    return nearest


def eligible_communities(member: Member, paired: str, nearest: dict[str, str]) -> set[str]:
    allowed = {member.home, paired}
    if member.home in nearest:
        allowed.add(nearest[member.home])
    return allowed
