"""A micro-wish beside its work-layer case: what, in which community, who claimed it."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class Wish(Base):
    __tablename__ = "wishes"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    community: Mapped[str] = mapped_column(ForeignKey("org_units.code"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    resident_number: Mapped[str] = mapped_column(String(18), index=True)
    resident_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the account that claims
    claimer_unit: Mapped[str | None] = mapped_column(String(64))  # its department or unit
    assigned_by: Mapped[str | None] = mapped_column(String(64))  # the community, if assigned
    fulfilment: Mapped[str | None] = mapped_column(Text)
    posted_on: Mapped[date]
    urged_on: Mapped[date | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
