"""The volunteering records: units and their contracted projects, members and their claims,
the month's plans with every member's activities, attendance and the service-hours ledger."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class VolunteerUnit(Base):
    """A unit party organisation and its pairing (包保) with one community (LK-09)."""

    __tablename__ = "volunteer_units"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    community: Mapped[str] = mapped_column(String(64), index=True)


class VolunteerProject(Base):
    """A service project named in a unit's contract, with its type and charging mode (QL-12)."""

    __tablename__ = "volunteer_projects"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("volunteer_units.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    charging: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int] = mapped_column(Integer)
    patterns: Mapped[list] = mapped_column(JSON)  # [[weekday, part], ...]


class VolunteerMember(Base):
    """An in-service party member who reported to a community (双报到) and claimed projects."""

    __tablename__ = "volunteer_members"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(ForeignKey("volunteer_units.code"), index=True)
    home: Mapped[str] = mapped_column(String(64), index=True)
    availability: Mapped[str] = mapped_column(String(16))
    claimed: Mapped[list] = mapped_column(JSON)
    requested: Mapped[int] = mapped_column(Integer)
    history: Mapped[int] = mapped_column(Integer, default=0)
    # The member's own account (role member), which reads this member's plan and hours only.
    account: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)


class VolunteerPlan(Base):
    """A month's plan: draft, then reviewed by a secretary, then published."""

    __tablename__ = "volunteer_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(16))  # draft | published | superseded
    objective: Mapped[int] = mapped_column(Integer)
    lower_bound: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[dict] = mapped_column(JSON)
    explanation: Mapped[dict] = mapped_column(JSON)
    hosts: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[dict] = mapped_column(JSON)  # closed slots, capacity overrides
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The monthly flow's case and which of its review rounds drafted this plan (a re-run of
    # the flow finds the draft of each round instead of solving again); none for an ad-hoc one.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True,
                                                nullable=True)
    attempt: Mapped[int | None] = mapped_column(Integer, nullable=True)


class VolunteerAssignment(Base):
    """One member at one activity of a plan, and whether the member came (sign-in list)."""

    __tablename__ = "volunteer_assignments"
    __table_args__ = (UniqueConstraint("plan_id", "member_code", "activity_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("volunteer_plans.id"), index=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("volunteer_members.code"), index=True)
    activity_code: Mapped[str] = mapped_column(String(64), index=True)
    community: Mapped[str] = mapped_column(String(64), index=True)
    slot: Mapped[str] = mapped_column(String(24))
    project_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # planned | declined
    attended: Mapped[bool | None] = mapped_column(nullable=True)


class VolunteerUncovered(Base):
    """A member a plan could not seat, with the reason the secretary reads."""

    __tablename__ = "volunteer_uncovered"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("volunteer_plans.id"), index=True)
    member_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(256))


class ServiceHours(Base):
    """The service-hours ledger: one line per attended activity, never edited."""

    __tablename__ = "volunteer_service_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("volunteer_members.code"), index=True)
    activity_code: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    hours: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
