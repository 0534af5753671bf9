"""The red forum's records: each quarter's forum, its topics and their actions, and the
reserve record of community secretaries with the assistant selections."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class Forum(Base):
    """One quarter's red forum (LK-13a), waited on by its flow through its case."""

    __tablename__ = "red_forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(8), unique=True)  # 2026-Q2
    looks_back_on: Mapped[str] = mapped_column(String(8))  # the quarter whose cases it reads
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # convened, held
    convened_on: Mapped[date]
    held_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ForumTopic(Base):
    __tablename__ = "red_forum_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("red_forums.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # proposed (by the system), added
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    title: Mapped[str] = mapped_column(String(200))
    score: Mapped[int | None]
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # proposed, picked, not-picked
    added_by: Mapped[str | None] = mapped_column(String(64))


class ForumAction(Base):
    """What the forum decided on a topic, followed as a case of the work layer (the owner's
    work item, deadline and escalation ladder), as a meeting's resolution is."""

    __tablename__ = "red_forum_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("red_forum_topics.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))  # assigned, completed, closed
    result: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]


class ReserveEntry(Base):
    """A line of a community secretary's reserve record (LK-13b): a forum attended, a
    training at one of the bases, or an assistant selection decided."""

    __tablename__ = "red_forum_reserve"

    id: Mapped[int] = mapped_column(primary_key=True)
    person: Mapped[str] = mapped_column(String(64), index=True)  # the secretary's account
    kind: Mapped[str] = mapped_column(String(16))  # forum, training, selection
    on: Mapped[date]
    place: Mapped[str | None] = mapped_column(String(100))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("red_forums.id"))
    selected: Mapped[bool | None]
    reasons: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
