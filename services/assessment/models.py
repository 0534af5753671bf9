"""The assessment's records: each year's assessment with its ranking (every community's score,
the indicators behind it, its rank and the change since last year) and its awards (candidates,
then confirmed or declined by the district)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class Assessment(Base):
    """One year's assessment, waited on by its flow through its case until the district has
    decided every award candidate."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))  # awaiting-confirmation, published
    computed_on: Mapped[date]
    published_on: Mapped[date | None]
    # where last year's ranks came from: its published assessment, or computed from records
    previous_source: Mapped[str] = mapped_column(String(16))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # the indicators and weights used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessmentEntry(Base):
    """A community's line of the ranking, with the figures behind its score."""

    __tablename__ = "assessment_entries"
    __table_args__ = (Index("uq_assessment_entries_community", "assessment_id", "community",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    community: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None]
    previous_rank: Mapped[int | None]
    change: Mapped[int | None]
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Award(Base):
    """LK-02: a candidate for the collective award, and the district's decision on it."""

    __tablename__ = "assessment_awards"
    __table_args__ = (Index("uq_assessment_awards_community", "assessment_id", "community",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    community: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # candidate, confirmed, declined
    amount_yuan: Mapped[int | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
