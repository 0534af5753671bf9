"""The volunteering data files (weights, rules) and the district's real communities."""

from functools import cache
from importlib.resources import files

from policies.volunteering import generator
from policies.volunteering.candidates import candidate_activities
from policies.volunteering.model import Instance, Member, Unit
from policies.volunteering.slots import month_slots
from policies.volunteering.weights import Settings
from services.platform.reference_data import (
    read_calendar,
    read_reference,
    read_yaml,
    validate_entry,
)

DATA = files("policies") / "volunteering" / "data"


@cache
def settings() -> Settings:
    return validate_entry(Settings, read_yaml(DATA / "weights.yaml"), "weights.yaml", "weights")


@cache
def district_communities() -> tuple[tuple[str, str, str], ...]:
    """(code, name_zh, street code) of the 16 communities of policies/data/org.yaml."""
    district = read_reference().district
    return tuple((c.code, c.name_zh, s.code) for s in district.streets for c in s.communities)


def generated_district(units: int, members: int, communities: int, seed: int = 12):
    names = list(district_communities())[:communities]
    return generator.generate(units, members, communities, seed=seed, names=names)


def month_instance(month: str, district, units: list[Unit] | None = None,
                   members: list[Member] | None = None, closed: frozenset[str] = frozenset(),
                   capacity_overrides: dict[str, int] | None = None) -> Instance:
    rules = settings()
    slots = month_slots(month, read_calendar(), rules)
    return Instance(month=month, communities=district.communities, contracts=district.contracts,
                    units=units or district.units, members=members or district.members,
                    slots=slots,
                    activities=candidate_activities(district.contracts, slots, closed,
                                                    capacity_overrides),
                    per_community_slot=rules.rules.per_community_slot, closed=closed)


@cache
def places() -> list:
    """The 16 communities with illustrative positions about 2 km apart (the reference data
    holds no coordinates; distances only rank home, paired and nearest communities)."""
    return generator.generate(1, 1, len(district_communities()),
                              names=list(district_communities())).communities


@cache
def district_code() -> str:
    return read_reference().district.code
