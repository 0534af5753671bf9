"""Escalation ladders: which levels are due for a deadline on a given day."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.calendar import WorkingCalendar


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: int = Field(ge=1)
    name_zh: str
    notify: Literal["group", "department-head", "one-stop-centre"]
    working_days_before_due: int | None = Field(default=None, ge=1)
    working_days_after_due: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_trigger(self) -> "Level":
        if (self.working_days_before_due is None) == (self.working_days_after_due is None):
            raise ValueError("give exactly one of working_days_before_due, "
                             "working_days_after_due")
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


def due_levels(ladder: Ladder, calendar: WorkingCalendar, due_on: date, today: date
               ) -> list[Level]:
    """Every level whose moment has come by `today` (a sweep that ran late catches up)."""
    if today <= due_on:
        remaining = calendar.working_days_between(today, due_on)
        return [lv for lv in ladder.levels
                if lv.working_days_before_due and remaining <= lv.working_days_before_due]
    overdue = calendar.working_days_between(due_on, today)
    return [lv for lv in ladder.levels
            if lv.working_days_before_due or overdue >= lv.working_days_after_due]
