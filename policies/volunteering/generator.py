"""A deterministic district for tests and benchmarks: the article's size (195 units, 5,837
members, 16 communities) or a city's (2,000 / 60,000 / 160). Same seed, same district."""

from dataclasses import dataclass

from policies.volunteering.model import (
    Availability,
    ChargingMode,
    Community,
    Contract,
    Member,
    Project,
    ProjectType,
    SlotPattern,
    Unit,
)
from policies.volunteering.prng import SplitMix

ARTICLE = {"units": 195, "members": 5837, "communities": 16}
CITY = {"units": 2000, "members": 60000, "communities": 160}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯"
_WEEKEND = [SlotPattern(5, "am"), SlotPattern(5, "pm"), SlotPattern(6, "am"), SlotPattern(6, "pm")]
_EVENING = [SlotPattern(d, "evening") for d in range(5)]
_CAPACITIES = [12, 16, 20, 24, 30]
_CHARGING = [ChargingMode.FREE] * 7 + [ChargingMode.LOW_COST] * 2 + [ChargingMode.PAID]


@dataclass
class District:
    communities: list[Community]
    contracts: list[Contract]
    units: list[Unit]
    members: list[Member]


def generate(units: int, members: int, communities: int, seed: int = 12,
             names: list[tuple[str, str, str]] | None = None) -> District:
    """names: (code, name_zh, street) of real communities, used in order before made-up ones."""
    rng = SplitMix(seed)
    places = _communities(rng, communities, names or [])
    unit_list = [Unit(code=f"U{i + 1:04d}", name_zh=f"第{i + 1}单位党组织",
                      community=places[i % communities].code) for i in range(units)]
    contracts = [_contract(rng, u, i) for i, u in enumerate(unit_list)]
    offered: dict[str, set[ProjectType]] = {}
    for c in contracts:
        offered.setdefault(c.community, set()).update(p.type for p in c.projects)
    member_list = _members(rng, members, unit_list, places, offered)
    return District(places, contracts, unit_list, member_list)


def _communities(rng, n, names) -> list[Community]:
    side = max(1, round(n ** 0.5))
    out = []
    for i in range(n):
        code, name, street = names[i] if i < len(names) else (
            f"C{i + 1:03d}", f"第{i + 1}社区", f"S{i // 4 + 1:02d}")
        x, y = (i % side) * 2.0, (i // side) * 2.0  # communities about 2 km apart
        out.append(Community(code, name, street, x_km=x + rng.uniform(-0.4, 0.4),
                             y_km=y + rng.uniform(-0.4, 0.4)))
    return out


def _contract(rng, unit: Unit, index: int) -> Contract:
    projects = []
    for k in range(1 + (rng.random() < 0.25)):
        kind = rng.choice(list(ProjectType))
        pattern = rng.choice(_EVENING if rng.random() < 0.4 else _WEEKEND)
        projects.append(Project(code=f"P{index + 1:04d}{k}", name_zh=f"{unit.name_zh}项目{k + 1}",
                                type=kind, charging=rng.choice(_CHARGING),
                                capacity=rng.choice(_CAPACITIES), patterns=(pattern,)))
    return Contract(unit=unit.code, community=unit.community, projects=tuple(projects))


def _members(rng, n, units, places, offered) -> list[Member]:
    weights = [rng.uniform(0.5, 1.5) for _ in units]
    owners = list(range(len(units)))  # every unit has members: first one each, then by weight
    owners += rng.choices(range(len(units)), weights=weights, k=max(0, n - len(units)))
    out = []
    for i, owner in enumerate(owners[:n]):
        unit = units[owner]
        home = unit.community if rng.random() < 0.5 else rng.choice(places).code
        nearby = offered.get(home, set()) | offered.get(unit.community, set())
        types = sorted(nearby) or list(ProjectType)
        claimed = frozenset(rng.sample(types, k=min(len(types), rng.choice([1, 2, 2, 3]))))
        roll = rng.random()
        availability = (Availability.WEEKEND if roll < 0.45 else
                        Availability.EVENING if roll < 0.65 else Availability.BOTH)
        name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice([1, 2])))
        out.append(Member(code=f"M{i + 1:06d}", name_zh=name, unit=unit.code, home=home,
                          availability=availability, claimed=claimed,
                          requested=2 if rng.random() < 0.3 else 1))
    return out
