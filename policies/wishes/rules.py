"""Micro-wishes' rules (HC-08): open → claimed (by a unit or a member, or assigned by the
community to a paired unit: 双向认领) → fulfilled → confirmed by its resident, and no one else.
An open wish not claimed after `urge_after_days` is urged, once."""

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class WishStatus(StrEnum):
    OPEN = "open"  # 待认领
    CLAIMED = "claimed"  # 已认领
    FULFILLED = "fulfilled"  # 已实现，待确认
    CONFIRMED = "confirmed"  # 居民已确认


STATUS_ZH = {WishStatus.OPEN: "待认领", WishStatus.CLAIMED: "已认领",
             WishStatus.FULFILLED: "已实现，待居民确认", WishStatus.CONFIRMED: "居民已确认"}

EXPECTED = {"claim": WishStatus.OPEN, "assign": WishStatus.OPEN,
            "fulfil": WishStatus.CLAIMED, "confirm": WishStatus.FULFILLED}


class WishRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urge_after_days: int = Field(ge=1, le=60)
    kinds: dict[str, str]  # code → 中文
    paired_units: dict[str, list[str]]  # community → departments paired with it (共建单位)


def refusal(action: str, status: WishStatus) -> str | None:
    if status is not EXPECTED[action]:
        return f"the wish is {STATUS_ZH[status]}（{status.value}）; cannot {action}"
    return None


def confirm_refusal(is_its_resident: bool) -> str | None:
    return None if is_its_resident else "only the resident who posted the wish confirms it"


def to_urge(status: WishStatus, posted_on: date, urged: bool, today: date,
            rules: WishRules) -> bool:
    """Still unclaimed `urge_after_days` calendar days after posting, and not urged yet."""
    return status is WishStatus.OPEN and not urged and (
        today >= posted_on + timedelta(days=rules.urge_after_days))
