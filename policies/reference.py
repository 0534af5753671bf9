"""The reference data every process reads: departments, stations, the org tree, the catalogue.

Parsed from plain dicts (the loader in services/ reads the files); every error names the
file, the entry and the field so a data maintainer can fix it without reading code.
"""

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
ServiceCode = Annotated[str, StringConstraints(pattern=r"^S\d{3}$")]
StationCode = Annotated[str, StringConstraints(pattern=r"^st-\d{2}$")]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Department(_Entry):
    code: Code
    name_zh: str
    name_en: str
    head_title_zh: str


class Station(_Entry):
    code: StationCode
    name_zh: str
    name_en: str
    kind: Literal["street_centre", "community_station", "village_station"]
    street: Code
    community: Code | None
    address_zh: str


class Grid(_Entry):
    code: Code
    name_zh: str
    buildings: list[str] = Field(min_length=1)


class Community(_Entry):
    code: Code
    name_zh: str
    name_en: str
    grids: list[Grid] = Field(min_length=1)


class Street(_Entry):
    code: Code
    name_zh: str
    name_en: str
    first_secretary_is_district_standing_member: bool
    communities: list[Community] = Field(min_length=1)


class District(_Entry):
    code: Code
    name_zh: str
    name_en: str
    streets: list[Street] = Field(min_length=1)


class Material(_Entry):
    code: Code
    name_zh: str
    original: bool
    deferrable: bool


class Service(_Entry):
    code: ServiceCode
    name_zh: str
    name_en: str
    department: Code
    delegated: bool
    applicant_kinds: list[Literal["person", "enterprise"]] = Field(min_length=1)
    materials: list[Material] = Field(min_length=1)
    on_the_spot: bool
    promised_working_days: int = Field(ge=0, le=60)
    legal_working_days: int = Field(ge=1, le=60)
    no_meeting: bool
    fee_yuan: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    legal_basis_zh: str


Level = Literal["district", "street", "community", "grid", "building"]
# The committee each level of the tree carries (QL-05, HC-01).
COMMITTEE_OF_LEVEL: dict[str, str] = {
    "district": "区委",
    "street": "街道大党工委",
    "community": "社区大党委",
    "grid": "网格党支部",
    "building": "楼栋党小组",
}


class OrgUnit(_Entry):
    code: str
    name_zh: str
    name_en: str
    level: Level
    parent: str | None


class ReferenceData(_Entry):
    departments: list[Department]
    stations: list[Station]
    district: District
    services: list[Service]

    def org_units(self) -> list[OrgUnit]:
        return list(_flatten(self.district))


class ReferenceDataError(ValueError):
    """Invalid reference data; the message names file, entry and field."""


def parse_reference(raw: dict[str, Any]) -> ReferenceData:
    """`raw` maps a file name (departments.yaml, …) to its parsed content."""
    data = ReferenceData(
        departments=_entries(raw, "departments.yaml", "departments", Department),
        stations=_entries(raw, "stations.yaml", "stations", Station),
        district=_single(raw, "org.yaml", "district", District),
        services=_entries(raw, "services.yaml", "services", Service),
    )
    for problem in _cross_file_problems(data):
        raise ReferenceDataError(problem)
    return data


def _entries(raw: dict[str, Any], file: str, key: str, model: type[_Entry]) -> list:
    items = (raw.get(file) or {}).get(key)
    if not isinstance(items, list):
        raise ReferenceDataError(f"{file}: expected a list under '{key}'")
    parsed = []
    for index, item in enumerate(items):
        label = f"{key}[{index}]" + (f" ({item.get('code')})" if isinstance(item, dict) else "")
        parsed.append(_validate(model, item, file, label))
    return parsed


def _single(raw: dict[str, Any], file: str, key: str, model: type[_Entry]) -> Any:
    return _validate(model, (raw.get(file) or {}).get(key), file, key)


def _validate(model: type[_Entry], item: Any, file: str, label: str) -> Any:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(entry)"
        raise ReferenceDataError(f"{file}: {label}: field '{field}': {first['msg']}") from None


def _cross_file_problems(data: ReferenceData) -> list[str]:
    problems: list[str] = []
    dept_codes = {d.code for d in data.departments}
    units = {u.code: u for u in data.org_units()}
    problems += _duplicates("departments.yaml", [d.code for d in data.departments])
    problems += _duplicates("stations.yaml", [s.code for s in data.stations])
    problems += _duplicates("services.yaml", [s.code for s in data.services])
    problems += _duplicates("org.yaml", [u.code for u in data.org_units()])
    for s in data.services:
        if s.department not in dept_codes:
            problems.append(
                f"services.yaml: {s.code}: field 'department': unknown '{s.department}'")
        problems += [f"services.yaml: {s.code}: {p}" for p in service_problems(s)]
    for st in data.stations:
        problems += [f"stations.yaml: {st.code}: {p}" for p in _station_problems(st, units)]
    return problems


def service_problems(s: Service) -> list[str]:
    problems = []
    if s.on_the_spot and s.promised_working_days != 0:
        problems.append("field 'promised_working_days': an on-the-spot service promises 0 days")
    if not s.on_the_spot and s.promised_working_days == 0:
        problems.append("field 'promised_working_days': must be ≥ 1 unless on_the_spot")
    if s.legal_working_days < s.promised_working_days:
        problems.append("field 'legal_working_days': the legal limit is below the promised one")
    problems += _duplicates("materials", [m.code for m in s.materials])
    return problems


def _station_problems(st: Station, units: dict[str, OrgUnit]) -> list[str]:
    street = units.get(st.street)
    if street is None or street.level != "street":
        return [f"field 'street': unknown street '{st.street}'"]
    if st.community is None:
        return []
    community = units.get(st.community)
    if community is None or community.parent != st.street:
        return [f"field 'community': '{st.community}' is not a community of '{st.street}'"]
    return []


def _duplicates(where: str, codes: list[str]) -> list[str]:
    seen: set[str] = set()
    dup = sorted({c for c in codes if c in seen or seen.add(c)})
    return [f"{where}: duplicate code '{c}'" for c in dup]


def _flatten(district: District):
    yield OrgUnit(code=district.code, name_zh=district.name_zh, name_en=district.name_en,
                  level="district", parent=None)
    for street in district.streets:
        yield OrgUnit(code=street.code, name_zh=street.name_zh, name_en=street.name_en,
                      level="street", parent=district.code)
        for com in street.communities:
            yield OrgUnit(code=com.code, name_zh=com.name_zh, name_en=com.name_en,
                          level="community", parent=street.code)
            for grid in com.grids:
                yield OrgUnit(code=grid.code, name_zh=grid.name_zh,
                              name_en=_grid_name_en(grid.code), level="grid", parent=com.code)
                for n, name in enumerate(grid.buildings, start=1):
                    yield OrgUnit(code=f"{grid.code}-b{n:02d}", name_zh=name,
                                  name_en=f"Building {n}", level="building", parent=grid.code)


def _grid_name_en(code: str) -> str:
    number = re.search(r"g(\d+)$", code)
    return f"Grid {int(number[1])}" if number else code
