"""The joint meetings' records: meetings, invitations, agenda items, attendance, resolutions
with their timeline, and missed-meeting findings."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class Meeting(Base):
    """One body's meeting for one period (QL-10a); its flow run waits on its case."""

    __tablename__ = "meetings"
    __table_args__ = (Index("uq_meetings_body_period", "body_code", "period", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    convened_on: Mapped[date]
    matters_close_on: Mapped[date]
    planned_on: Mapped[date]
    held_on: Mapped[date | None]
    place: Mapped[str | None] = mapped_column(String(200))
    quorum_note: Mapped[str | None] = mapped_column(String(200))
    minutes_confirmed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Invitation(Base):
    """Who was invited: the membership on the day the meeting was convened (QL-09, LK-01)."""

    __tablename__ = "meeting_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    person: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    unit_zh: Mapped[str] = mapped_column(String(200))
    account: Mapped[str | None] = mapped_column(String(64))
    attendance: Mapped[str | None] = mapped_column(String(16))  # present, absent, substitute
    absence_reason: Mapped[str | None] = mapped_column(String(500))
    substitute_zh: Mapped[str | None] = mapped_column(String(64))


class AgendaItem(Base):
    """A matter a member submitted, or an item the platform proposed (QL-10b)."""

    __tablename__ = "meeting_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    source: Mapped[str] = mapped_column(String(24))  # matter, overdue-case, escalated-case,
    #                                                  carried-resolution
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    resolution_id: Mapped[int | None]  # a resolution carried over (no FK: it points here)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # proposed, on-agenda, dropped, merged
    position: Mapped[int | None]
    minutes: Mapped[int | None]  # the time given to it on the agenda
    drop_reason: Mapped[str | None] = mapped_column(String(500))
    merged_into: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Resolution(Base):
    """What the meeting decided on one agenda item (QL-10c), followed to closure (督办) as a
    case of the work layer whose work items are the owner's."""

    __tablename__ = "meeting_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    body_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    co_owners: Mapped[list[str]] = mapped_column(JSON)
    working_days: Mapped[int]
    deadline: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    percent: Mapped[int] = mapped_column(default=0)
    result: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ResolutionEntry(Base):
    """One dated entry of a resolution's timeline: a stage reached or progress reported."""

    __tablename__ = "meeting_resolution_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("meeting_resolutions.id"), index=True)
    on: Mapped[date]
    stage: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int]
    note: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingFinding(Base):
    """A period that ended without the body's meeting held (QL-10a); one per body and period."""

    __tablename__ = "meeting_findings"
    __table_args__ = (Index("uq_meeting_findings_body_period", "body_code", "period",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))
    period_end: Mapped[date]
    found_on: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
