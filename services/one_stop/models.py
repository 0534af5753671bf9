"""The one-stop process's records: receipt counters, single notices, visits and ratings."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class ReceiptCounter(Base):
    """The last receipt number of a series on a day: a station's counter, or `online`."""

    __tablename__ = "receipt_counters"

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int]


class Notice(Base):
    """The single notice (一次性告知) of everything missing: at most one per case, by index."""

    __tablename__ = "notices"
    __table_args__ = (Index("uq_notices_case_kind", "case_id", "kind", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    materials: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Visit(Base):
    """An applicant's in-person visit for a case (最多跑一次: at most one)."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    purpose: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Rating(Base):
    """The applicant's one satisfaction rating of an ended case (好差评)."""

    __tablename__ = "ratings"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    grade: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
