"""The facts a month's plan is made of: communities, contracts and their projects (LK-09,
QL-12), units, members and their claims (双报到), the month's slots and candidate activities."""

from dataclasses import dataclass, field
from enum import StrEnum


class ProjectType(StrEnum):
    """QL-12 names the first three; the rest are the common 双报到 projects."""

    AFTER_SCHOOL = "after_school"      # 四点半课堂
    RED_CINEMA = "red_cinema"          # 红色影院
    ELDERLY_DINING = "elderly_dining"  # 老年幸福餐桌
    PATROL = "patrol"                  # 平安巡逻
    CLEANING = "cleaning"              # 环境整治
    HEALTH_CHECK = "health_check"      # 义诊体检


PROJECT_TYPE_ZH = {
    ProjectType.AFTER_SCHOOL: "四点半课堂", ProjectType.RED_CINEMA: "红色影院",
    ProjectType.ELDERLY_DINING: "老年幸福餐桌", ProjectType.PATROL: "平安巡逻",
    ProjectType.CLEANING: "环境整治", ProjectType.HEALTH_CHECK: "义诊体检",
}
PROJECT_TYPE_BY_ZH = {zh: t for t, zh in PROJECT_TYPE_ZH.items()}
TYPE_INDEX = {t: i for i, t in enumerate(ProjectType)}


class ChargingMode(StrEnum):
    """QL-12: 无偿 + 低偿 + 有偿."""

    FREE = "free"
    LOW_COST = "low_cost"
    PAID = "paid"


CHARGING_ZH = {ChargingMode.FREE: "无偿", ChargingMode.LOW_COST: "低偿", ChargingMode.PAID: "有偿"}
CHARGING_BY_ZH = {zh: c for c, zh in CHARGING_ZH.items()}


class SlotKind(StrEnum):
    WEEKEND = "weekend"   # a non-working day's morning or afternoon (holidays included)
    EVENING = "evening"   # a working day's evening (make-up working days included)


class Availability(StrEnum):
    WEEKEND = "weekend"
    EVENING = "evening"
    BOTH = "both"

    def allows(self, kind: SlotKind) -> bool:
        return self is Availability.BOTH or self.value == kind.value


AVAILABILITY_ZH = {Availability.WEEKEND: "周末", Availability.EVENING: "工作日晚上",
                   Availability.BOTH: "均可"}
AVAILABILITY_BY_ZH = {zh: a for a, zh in AVAILABILITY_ZH.items()}


@dataclass(frozen=True, slots=True)
class Community:
    code: str
    name_zh: str
    street: str
    x_km: float
    y_km: float


@dataclass(frozen=True, slots=True)
class SlotPattern:
    """When a project runs: a weekday (0 = Monday) and a part of the day."""

    weekday: int
    part: str  # "am" | "pm" | "evening"


@dataclass(frozen=True, slots=True)
class Project:
    code: str
    name_zh: str
    type: ProjectType
    charging: ChargingMode
    capacity: int
    patterns: tuple[SlotPattern, ...]


@dataclass(frozen=True, slots=True)
class Contract:
    """LK-09 契约化共建: one unit, one paired community, the projects it names."""

    unit: str
    community: str
    projects: tuple[Project, ...]


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name_zh: str
    community: str  # the paired (包保) community


@dataclass(frozen=True, slots=True)
class Member:
    code: str
    name_zh: str
    unit: str
    home: str  # the home community the member reports to
    availability: Availability
    claimed: frozenset[ProjectType]
    requested: int = 1  # activities a month: 1 or 2
    history: int = 0    # decayed count of unpopular slots received in earlier months


@dataclass(frozen=True, slots=True)
class Slot:
    code: str       # 2026-12-05-am
    day: str        # ISO date
    part: str       # am | pm | evening
    kind: SlotKind
    unpopular: bool


@dataclass(frozen=True, slots=True)
class Activity:
    """A candidate concentrated activity: a project of a community in one slot."""

    code: str
    community: str
    project: str
    type: ProjectType
    slot: str
    capacity: int

    @property
    def minimum_fill(self) -> int:
        return max(2, -(-self.capacity // 4))


@dataclass
class Instance:
    """One month for one district: everything the plan needs, nothing it looks up."""

    month: str
    communities: list[Community]
    contracts: list[Contract]
    units: list[Unit]
    members: list[Member]
    slots: list[Slot]
    activities: list[Activity]
    per_community_slot: int = 3  # K: at most this many activities in one community and slot
    closed: frozenset[str] = field(default_factory=frozenset)  # slot codes a secretary closed
