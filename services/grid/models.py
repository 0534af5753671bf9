"""The grid loop's record of an issue, beside its work-layer case (which carries the status,
the deadline and the work items): where it is, what it is, who raised it, where the loop
stands and what the raiser said."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class GridIssue(Base):
    __tablename__ = "grid_issues"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text)
    grid: Mapped[str] = mapped_column(ForeignKey("org_units.code"), index=True)
    community: Mapped[str] = mapped_column(String(64), index=True)
    street: Mapped[str] = mapped_column(String(64), index=True)
    building: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    longitude: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    address: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(16))  # patrol (巡查), resident (群众反映), open311
    raised_by: Mapped[str] = mapped_column(String(64))  # the account that entered it
    raiser_name: Mapped[str | None] = mapped_column(String(64))
    raiser_phone: Mapped[str | None] = mapped_column(String(20))
    handler_group: Mapped[str] = mapped_column(String(100), index=True)
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    stage: Mapped[str] = mapped_column(String(16), index=True)
    supervised: Mapped[bool] = mapped_column(default=False)
    fed_back: Mapped[bool] = mapped_column(default=False)
    reopened: Mapped[int] = mapped_column(default=0)
    with_secretary: Mapped[bool] = mapped_column(default=False)
    response_due_on: Mapped[date]
    responded_on: Mapped[date | None]
    rating: Mapped[str | None] = mapped_column(String(24))
    feedback: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GridPhoto(Base):
    """A photo of an issue, kept with it in the business database (small, size-checked)."""

    __tablename__ = "grid_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # where the loop stood: what it shows
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
