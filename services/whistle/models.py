"""A whistle blown on a case, the levels it reached and the departments it summoned."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class Whistle(Base):
    __tablename__ = "whistles"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # routine, hard-case, emergency
    reason: Mapped[str] = mapped_column(Text)
    org_unit: Mapped[str] = mapped_column(String(64), index=True)  # where it was whistled
    level: Mapped[int]  # 0 支部书记哨 … 3 区委书记哨
    whistled_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WhistleLevel(Base):
    """Each level the whistle reached: when, and whose secretary it called."""

    __tablename__ = "whistle_levels"
    __table_args__ = (Index("uq_whistle_levels_level", "whistle_id", "level", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    whistle_id: Mapped[int] = mapped_column(ForeignKey("whistles.id"), index=True)
    level: Mapped[int]
    name_zh: Mapped[str] = mapped_column(String(100))
    notified: Mapped[str] = mapped_column(String(100))
    late_departments: Mapped[str | None] = mapped_column(String(500))
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Summons(Base):
    """A department summoned (报到): when, by when it must report, when it did."""

    __tablename__ = "whistle_summons"
    __table_args__ = (Index("uq_whistle_summons_department", "whistle_id", "department",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    whistle_id: Mapped[int] = mapped_column(ForeignKey("whistles.id"), index=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id"))
    summoned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    summoned_at_level: Mapped[int]
    report_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
