"""Resolutions (决议, QL-10c) and their follow-up (督办: 交办 → 承办 → 反馈 → 办结 → 评价)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["工作要点", "实施项目", "推进措施"]
Status = Literal["assigned", "accepted", "reported", "completed", "closed"]
STAGE_ZH: dict[str, str] = {"assigned": "交办", "accepted": "承办", "reported": "反馈",
                            "completed": "办结", "closed": "评价"}
OPEN: tuple[str, ...] = ("assigned", "accepted", "reported", "completed")


class Progress(BaseModel):
    """A progress report: how far, and what was done (a dated timeline entry)."""

    model_config = ConfigDict(extra="forbid")

    percent: int = Field(ge=0, le=99, description="100 is reached by reporting completion")
    note: str = Field(min_length=1, max_length=2000)


def overdue(status: str, deadline: date, today: date) -> bool:
    """Open after its deadline (a resolution reported done but not yet confirmed is still
    open: closure is the secretary's)."""
    return status in OPEN and today > deadline


def on_time(closed_on: date | None, deadline: date) -> bool:
    return closed_on is not None and closed_on <= deadline


def on_time_rate(closed_on_time: int, due: int) -> float | None:
    """Share of the resolutions due so far (deadline passed, or closed) closed on time."""
    return None if due == 0 else round(closed_on_time / due, 3)
