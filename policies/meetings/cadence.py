"""When each body meets (QL-10a): cadences, periods, quorum and resolution deadlines are data
(policies/meetings/data/rules.yaml); the functions here are the rules over them."""

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.calendar import quarter_of
from policies.meetings.bodies import Level


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cadence(_Entry):
    level: Level
    every: Literal["quarter", "month"]
    day_of_period: int = Field(ge=1, le=28)  # the project's choice (the article is silent)
    clause: str


class Quorum(_Entry):
    share_present: float = Field(gt=0, lt=1)
    substitutes_count: bool
    leaders_count: bool


class ResolutionDeadline(_Entry):
    default_working_days: int = Field(ge=1)
    max_working_days: int = Field(ge=1, le=250)


class MeetingRules(_Entry):
    tracked_from: date
    cadences: list[Cadence] = Field(min_length=3, max_length=3)
    matters_window_working_days: int = Field(ge=1, le=20)
    meeting_after_working_days: int = Field(ge=1, le=40)
    proposed_items_max: int = Field(ge=0, le=100)
    quorum: Quorum
    resolution_deadline: ResolutionDeadline

    def cadence(self, level: Level) -> Cadence:
        return next(c for c in self.cadences if c.level == level)


class Period(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # 2026-Q1 or 2026-03
    start: date
    end: date


def period_of(cadence: Cadence, day: date) -> Period:
    if cadence.every == "month":
        start = day.replace(day=1)
        return Period(code=f"{day:%Y-%m}", start=start, end=_month_end(start, 1))
    code, start, end = quarter_of(day)
    return Period(code=code, start=start, end=end)


def period_by_code(cadence: Cadence, code: str) -> Period:
    """'2026-Q2' or '2026-05' back to its period; ValueError for a code of another cadence."""
    year, _, part = code.partition("-")
    if cadence.every == "quarter" and part.startswith("Q") and part[1:] in "1234":
        return period_of(cadence, date(int(year), (int(part[1:]) - 1) * 3 + 1, 1))
    if cadence.every == "month" and part.isdigit() and 1 <= int(part) <= 12:
        return period_of(cadence, date(int(year), int(part), 1))
    raise ValueError(f"'{code}' is not a {cadence.every} (2026-Q1 or 2026-01)")


def convening_day(cadence: Cadence, period: Period) -> date:
    return period.start + timedelta(days=cadence.day_of_period - 1)


def ended_periods(cadence: Cadence, since: date, today: date) -> list[Period]:
    """Every period that began on or after `since` and ended before `today` (QL-10a: each one
    must have had its meeting)."""
    periods, period = [], period_of(cadence, since)
    while period.end < today:
        if period.start >= since:
            periods.append(period)
        period = period_of(cadence, period.end + timedelta(days=1))
    return periods


def cron_of(cadence: Cadence) -> str:
    """The Prefect schedule that convenes the meetings (09:00 district time)."""
    months = "1,4,7,10" if cadence.every == "quarter" else "*"
    return f"0 9 {cadence.day_of_period} {months} *"


def quorum_met(quorum: Quorum, members_invited: int, members_present: int,
               substitutes: int) -> tuple[bool, str]:
    """More than the share of the members invited present; the article is silent, the share
    is the project's choice (rules.yaml)."""
    counted = members_present + (substitutes if quorum.substitutes_count else 0)
    needed = int(members_invited * quorum.share_present) + 1
    return counted >= needed, f"应到{members_invited}人，实到{counted}人，需{needed}人"


def _month_end(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
