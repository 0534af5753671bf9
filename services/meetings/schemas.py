"""What people send and read about meetings (pydantic at the boundary; never ORM objects)."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.meetings.resolutions import Kind
from services.platform.validation import IsoDate


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatterCreate(_In):
    """A major matter a member asks the meeting to discuss and decide (QL-10b)."""

    title: str = Field(min_length=2, max_length=200)
    detail: str = Field(min_length=1, max_length=4000)


class Dropped(_In):
    item_id: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=500)


class Merged(_In):
    item_id: int = Field(ge=1)
    into: int = Field(ge=1)


class Slot(_In):
    item_id: int = Field(ge=1)
    minutes: int | None = Field(default=None, ge=1, le=480)


class AgendaFinalise(_In):
    """The secretary's agenda: items in order (with the minutes given to each), the rest
    dropped with a reason or merged into an item kept."""

    order: list[Slot] = Field(min_length=1, max_length=50)
    dropped: list[Dropped] = Field(default_factory=list, max_length=200)
    merged: list[Merged] = Field(default_factory=list, max_length=50)

    def named(self) -> list[int]:
        return ([s.item_id for s in self.order] + [d.item_id for d in self.dropped]
                + [m.item_id for m in self.merged])


class AttendanceCreate(_In):
    person: str = Field(min_length=1, max_length=64)
    status: Literal["present", "absent", "substitute"]
    reason: str | None = Field(default=None, max_length=500)
    substitute: str | None = Field(default=None, max_length=64)

    def problem(self) -> str | None:
        if self.status == "absent" and not (self.reason or "").strip():
            return "an absence states its reason"
        if self.status == "substitute" and not (self.substitute or "").strip():
            return "a substitute is named"
        return None


class ResolutionCreate(_In):
    agenda_item_id: int = Field(ge=1)
    kind: Kind
    text: str = Field(min_length=2, max_length=4000)
    owner: str = Field(min_length=1, max_length=64, description="department code")
    co_owners: list[str] = Field(default_factory=list, max_length=10)
    working_days: int | None = Field(default=None, ge=1, le=250)


class MeetingRecordCreate(_In):
    held_on: IsoDate
    place: str = Field(min_length=1, max_length=200)
    attendance: list[AttendanceCreate] = Field(min_length=1, max_length=200)
    resolutions: list[ResolutionCreate] = Field(min_length=1, max_length=50)


class MinutesConfirm(_In):
    note: str | None = Field(default=None, max_length=500)


class InvitationRead(BaseModel):
    person: str
    name_zh: str
    kind: str
    role: str
    unit_zh: str
    attendance: str | None
    absence_reason: str | None
    substitute_zh: str | None


class AgendaItemRead(BaseModel):
    id: int
    source: str
    title: str
    detail: str
    submitted_by: str
    case_id: int | None
    resolution_id: int | None
    evidence: dict[str, Any] | None
    status: str
    position: int | None
    minutes: int | None
    drop_reason: str | None
    merged_into: int | None


class TimelineEntry(BaseModel):
    on: date
    stage: str
    percent: int
    note: str
    by: str


class ResolutionRead(BaseModel):
    id: int
    meeting_id: int
    body_code: str
    agenda_item_id: int
    case_id: int
    kind: str
    text: str
    owner: str
    co_owners: list[str]
    working_days: int
    deadline: date
    status: str
    stage_zh: str
    percent: int
    result: str | None
    closed_on: date | None
    overdue: bool
    escalations: int
    timeline: list[TimelineEntry]


class MeetingSummary(BaseModel):
    id: int
    body_code: str
    body_name_zh: str
    level: str
    period: str
    status: str
    convened_on: date
    matters_close_on: date
    planned_on: date
    held_on: date | None


class MeetingRead(MeetingSummary):
    place: str | None
    quorum_note: str | None
    minutes_confirmed_on: date | None
    invitations: list[InvitationRead]
    agenda: list[AgendaItemRead]
    resolutions: list[ResolutionRead]
    waiting_on: dict[str, int] = Field(
        default_factory=dict, description="the open step of the meeting and its work item")
