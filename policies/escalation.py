"""Escalation ladders: which levels are due for a waiting step at a given moment.

A level fires a number of working days before or after the step's deadline (approvals), or
a number of minutes after the step was opened (the whistle's reporting rule).
"""

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.calendar import WorkingCalendar

Recipient = Literal["group", "department-head", "one-stop-centre", "community-secretary",
                    "street-secretary", "district-secretary"]


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: int = Field(ge=1)
    name_zh: str
    notify: Recipient
    working_days_before_due: int | None = Field(default=None, ge=1)
    working_days_after_due: int | None = Field(default=None, ge=1)
    minutes_after_opened: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_trigger(self) -> "Level":
        triggers = [self.working_days_before_due, self.working_days_after_due,
                    self.minutes_after_opened]
        if sum(t is not None for t in triggers) != 1:
            raise ValueError("give exactly one of working_days_before_due, "
                             "working_days_after_due, minutes_after_opened")
        return self


class Ladder(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    clause: str
    levels: list[Level] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_numbered_in_order(self) -> "Ladder":
        if [lv.level for lv in self.levels] != list(range(1, len(self.levels) + 1)):
            raise ValueError("levels must be numbered 1, 2, 3 … in order")
        return self


class Moment(BaseModel):
    """When the sweep looks, and what it knows of the waiting step."""

    today: date
    now: datetime
    due_on: date | None
    opened_at: datetime


def due_levels(ladder: Ladder, calendar: WorkingCalendar, at: Moment) -> list[Level]:
    """Every level whose moment has come (a sweep that ran late catches up)."""
    return [lv for lv in ladder.levels if _reached(lv, calendar, at)]


def _reached(level: Level, calendar: WorkingCalendar, at: Moment) -> bool:
    if level.minutes_after_opened is not None:
        return at.now >= at.opened_at + timedelta(minutes=level.minutes_after_opened)
    if at.due_on is None:
        return False
    if at.today <= at.due_on:
        remaining = calendar.working_days_between(at.today, at.due_on)
        return level.working_days_before_due is not None and \
            remaining <= level.working_days_before_due
    if level.working_days_before_due is not None:
        return True
    return calendar.working_days_between(at.due_on, at.today) >= level.working_days_after_due
