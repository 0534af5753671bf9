"""The PRC working-day calendar: weekends, public holidays and make-up working days (调休)."""

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator


class Holiday(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_zh: str
    name_en: str
    first_day: date
    last_day: date
    make_up_working_days: list[date] = []

    @model_validator(mode="after")
    def _ordered(self) -> "Holiday":
        if self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        return self

    def days(self) -> list[date]:
        span = (self.last_day - self.first_day).days
        return [self.first_day + timedelta(days=i) for i in range(span + 1)]


class CalendarYear(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int
    status: Literal["official", "provisional"]
    source_zh: str
    holidays: list[Holiday]

    @model_validator(mode="after")
    def _dates_in_year(self) -> "CalendarYear":
        for h in self.holidays:
            for d in [*h.days(), *h.make_up_working_days]:
                if abs(d.year - self.year) > 1:
                    raise ValueError(f"{h.name_en}: {d} is far outside {self.year}")
        return self


class CalendarOutOfRange(ValueError):
    """A date the calendar data does not cover: counting on would silently ignore holidays."""


class WorkingCalendar:
    def __init__(self, years: list[CalendarYear]):
        self.years = {y.year: y for y in years}
        self._holidays = {d for y in years for h in y.holidays for d in h.days()}
        self._make_up = {d for y in years for h in y.holidays for d in h.make_up_working_days}

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if not self.covers(day):
            raise CalendarOutOfRange(f"the working-day calendar has no data for {day.year}")
        if day in self._make_up:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def resumed_due_date(calendar: WorkingCalendar, due: date, suspended_on: date,
                     resumed_on: date) -> date:
    """补正期间不计时: the working days the clock stood still are added back to the deadline."""
    stood_still = calendar.working_days_between(suspended_on, resumed_on)
    return calendar.add_working_days(due, stood_still)


def quarter_of(day: date) -> tuple[str, date, date]:
    """The calendar quarter holding `day`: its code (2026-Q1), its first and its last day."""
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return f"{day.year}-Q{(first.month + 2) // 3}", first, after - timedelta(days=1)
