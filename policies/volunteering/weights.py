"""The objective's weights and the project's choices where the article is silent, as data."""

from pydantic import BaseModel, ConfigDict, Field


class Weight(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: int = Field(ge=0)
    reason_zh: str
    reason: str


class UnpopularSlot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday: int = Field(ge=0, le=6)
    part: str = Field(pattern="^(am|pm|evening)$")
    reason_zh: str


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_community_slot: int = Field(ge=1, le=10)
    host_quota_max: int = Field(ge=1, le=10)
    unpopular_slots: list[UnpopularSlot]
    plan_day_of_month: int = Field(ge=1, le=28)
    decline_window_days: int = Field(ge=0, le=14)
    hours_per_activity: int = Field(ge=1, le=8)


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type_mismatch: Weight
    distance_per_km: Weight
    unpopular_slot: Weight
    load_half_to_80: Weight
    load_above_80: Weight
    second_activity_missing: Weight
    uncovered: Weight


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: Weights
    rules: Rules

    def unpopular(self, weekday: int, part: str) -> bool:
        return any(u.weekday == weekday and u.part == part for u in self.rules.unpopular_slots)
