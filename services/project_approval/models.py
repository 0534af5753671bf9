"""The parallel project approval's records: joint review meetings."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class JointReview(Base):
    """A joint review meeting (联审会) called on a case where departments disagree."""

    __tablename__ = "joint_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    called_by: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(Text)
    departments: Mapped[list[str]] = mapped_column(JSON)
    held_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
