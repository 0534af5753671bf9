"""Issue categories decide who handles an issue and by when (QL-07). The article names no
categories nor limits: the list and the limits are the project's choice, in data/categories.yaml."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.calendar import WorkingCalendar


class HandlerKind(StrEnum):
    GRID = "grid"  # the grid itself (its members on patrol)
    COMMUNITY = "community"  # the community's staff
    DEPARTMENT = "department"  # a district department


class Urgency(StrEnum):
    EMERGENCY = "emergency"  # same day
    ORDINARY = "ordinary"  # in working days


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name_zh: str
    handler: HandlerKind
    department: str | None = None
    urgency: Urgency
    working_days: int = Field(default=0, ge=0, le=30)

    @model_validator(mode="after")
    def _consistent(self) -> "Category":
        if (self.handler is HandlerKind.DEPARTMENT) != bool(self.department):
            raise ValueError("a department handles the category exactly when one is named")
        if self.urgency is Urgency.ORDINARY and self.working_days < 1:
            raise ValueError("an ordinary category needs working_days ≥ 1")
        return self

    def due_on(self, calendar: WorkingCalendar, reported_on: date) -> date:
        """Emergencies the same day; ordinary issues in working days (holidays skipped)."""
        if self.urgency is Urgency.EMERGENCY:
            return reported_on
        return calendar.add_working_days(reported_on, self.working_days)


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response_working_days: int = Field(ge=0, le=5)
    categories: list[Category] = Field(min_length=1)

    def get(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def response_due_on(self, calendar: WorkingCalendar, reported_on: date) -> date:
        """响应时限: the handler acknowledges within this many working days (0: the same day)."""
        if not self.response_working_days:
            return reported_on
        return calendar.add_working_days(reported_on, self.response_working_days)


def handler_group(category: Category, grid: str, community: str) -> str:
    """The work-item group that handles an issue of `category` raised in `grid`."""
    match category.handler:
        case HandlerKind.GRID:
            return f"org:{grid}"
        case HandlerKind.COMMUNITY:
            return f"org:{community}"
    return f"department:{category.department}"
