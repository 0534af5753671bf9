"""The assessment's data (data/assessment.yaml) as typed rules: indicators with their
definition, source, weight, direction and clause; the award rule; the popularity formula."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Entry):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=28)


class Band(_Entry):
    """A two-sided target: a value from `low` to `high` (both included) is good."""

    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self):
        if self.low >= self.high:
            raise ValueError("a band's low is below its high")
        return self

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


class Indicator(_Entry):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    definition: str
    source: str
    weight: float = Field(gt=0, le=1)
    direction: Literal["higher", "lower", "band"]
    band: Band | None = None  # direction band: the thresholds (read from the owning process)
    band_from: str | None = None  # where the band is published, e.g. whistle.rate_band
    clause: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _a_clause_or_a_reason(self):
        if not (self.clause or self.reason):
            raise ValueError(f"indicator {self.code} names its clause or its reason")
        if (self.direction == "band") != (self.band is not None):
            raise ValueError(f"indicator {self.code}: a band, and only with direction band")
        return self


class Pending(_Entry):
    name_zh: str
    source: str
    clause: str
    why: str


class KeyTask(_Entry):
    community: str
    task: str


class AwardRule(_Entry):
    clause: str
    amount_yuan: int = Field(gt=0)
    rise_places: int = Field(ge=1)
    confirmer: str
    key_tasks: dict[int, list[KeyTask]] = Field(default_factory=dict)


Use = Literal["visits", "wishes", "meetings", "activities"]  # use only: no term can count equipment


class Term(_Entry):
    use: Use
    name_zh: str
    weight: float = Field(ge=0)
    definition: str
    source: str


class Facilities(_Entry):
    area_m2: int = Field(ge=0)
    rooms: int = Field(ge=0)
    note: str | None = None


class Popularity(_Entry):
    clause: str
    terms: list[Term] = Field(min_length=1)
    facilities: dict[str, Facilities] = Field(default_factory=dict)


class AssessmentRules(_Entry):
    schedule: Schedule
    clause: str
    weights_are: str
    indicators: list[Indicator] = Field(min_length=1)
    pending: list[Pending] = Field(default_factory=list)
    award: AwardRule
    popularity: Popularity

    @model_validator(mode="after")
    def _weights_sum_to_one(self):
        total = sum(i.weight for i in self.indicators)
        if abs(total - 1) > 1e-9:
            raise ValueError(f"indicator weights sum to {total:g}, not 1")
        if len({i.code for i in self.indicators}) != len(self.indicators):
            raise ValueError("indicator codes are unique")
        return self

    def key_tasks(self, year: int) -> dict[str, str]:
        return {t.community: t.task for t in self.award.key_tasks.get(year, [])}


def assessed_year(run_on: date) -> int:
    """The assessment run early in a year judges the year before."""
    return run_on.year - 1
