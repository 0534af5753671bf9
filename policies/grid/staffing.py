"""Grids staffed "1+5+N" (QL-06): one grid leader, one member of each of the five types and
any number of dynamic members. A grid short of its leader or of a type is a gap to report."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class MemberType(StrEnum):
    COMMUNITY_POLICE = "community-police"  # 社区民警
    COMMUNITY_STAFF = "community-staff"  # 社区工作者
    URBAN_MANAGEMENT = "urban-management"  # 城管执法队员
    MARKET_SUPERVISION = "market-supervision"  # 市场监管人员
    SANITATION = "sanitation"  # 环卫人员


TYPE_NAMES_ZH = {
    MemberType.COMMUNITY_POLICE: "社区民警", MemberType.COMMUNITY_STAFF: "社区工作者",
    MemberType.URBAN_MANAGEMENT: "城管执法队员", MemberType.MARKET_SUPERVISION: "市场监管人员",
    MemberType.SANITATION: "环卫人员",
}


class GridStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grid: str
    leader: str | None = None  # 网格长
    members: dict[MemberType, str] = {}  # the five: type → name
    dynamic: int = Field(default=0, ge=0)  # N: volunteers, party members, building heads


class Staffing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grids: list[GridStaff]

    def of(self, grid: str) -> GridStaff | None:
        return next((g for g in self.grids if g.grid == grid), None)

    def headcount(self) -> int:
        return sum(bool(g.leader) + len(g.members) + g.dynamic for g in self.grids)


def gaps(staff: GridStaff | None, grid: str) -> list[str]:
    """What a grid lacks of its "1+5", in Chinese, as a dashboard shows it."""
    if staff is None:
        return ["未配备网格人员"]
    missing = [] if staff.leader else ["缺网格长"]
    return missing + [f"缺{TYPE_NAMES_ZH[t]}" for t in MemberType if not staff.members.get(t)]


def staffing_gaps(staffing: Staffing, grids: list[str]) -> dict[str, list[str]]:
    """Every grid of the org tree with what it lacks; complete grids are left out."""
    report = {grid: gaps(staffing.of(grid), grid) for grid in grids}
    return {grid: lacking for grid, lacking in report.items() if lacking}
