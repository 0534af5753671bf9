"""Whistle-and-report's rules (QL-14, LK-09b).

The branch secretary's whistle (支部书记哨) opens at level 0; every time a summoned department
has not reported within its whistle type's deadline the whistle climbs one level of the
`whistle` ladder (policies/data/escalation.yaml: community → street → district secretary) and
the deadline starts again; at the district it climbs no further. A department that reported
stays until the issue is closed (事不完，人不撤).
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

OPENING_LEVEL_ZH = "支部书记哨"


class WhistleType(StrEnum):
    ROUTINE = "routine"  # 日常
    HARD_CASE = "hard-case"  # 攻坚
    EMERGENCY = "emergency"  # 应急


TYPE_ZH = {WhistleType.ROUTINE: "日常", WhistleType.HARD_CASE: "攻坚",
           WhistleType.EMERGENCY: "应急"}


class RateBand(BaseModel):
    """吹哨率 outside [low, high] is flagged: too low, the mechanism is unused; too high,
    routine handling fails."""

    model_config = ConfigDict(extra="forbid")

    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "RateBand":
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self

    def flag(self, whistled: int, issues: int) -> str | None:
        if not issues:
            return None
        rate = whistled / issues
        return "too-low" if rate < self.low else "too-high" if rate > self.high else "ok"


class WhistleRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_minutes: dict[WhistleType, int]  # 报到时限 per whistle type
    rate_band: RateBand

    @model_validator(mode="after")
    def _every_type(self) -> "WhistleRules":
        missing = set(WhistleType) - set(self.report_minutes)
        if missing:
            raise ValueError(f"report_minutes lacks {sorted(missing)}")
        if any(m < 1 for m in self.report_minutes.values()):
            raise ValueError("report_minutes must be at least 1")
        return self

    def report_due(self, kind: WhistleType, since: datetime) -> datetime:
        return since + timedelta(minutes=self.report_minutes[kind])


def next_level(level: int, top: int, late: bool) -> int | None:
    """One level up when a department is late; none past the top (the district)."""
    return level + 1 if late and level < top else None


def withdrawal_refusal(issue_closed: bool) -> str | None:
    if issue_closed:
        return None
    return "事不完，人不撤: a department that reported stays until the issue is closed"
