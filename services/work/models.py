"""The work layer's records: cases, their human steps (work items), escalations, deadline
extensions and the published version of each process."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime


class Case(Base):
    """One run of a process for one subject; pinned to the process version it started with."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    process: Mapped[str] = mapped_column(String(64), index=True)
    process_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(32), index=True)
    service_code: Mapped[str | None] = mapped_column(ForeignKey("services.code"))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"),
                                                        index=True)
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"), index=True)
    # The applicant's citizen ID number or credit code (as in details): whose application it is.
    applicant_number: Mapped[str | None] = mapped_column(String(18), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. a project's data
    accepted_on: Mapped[date | None]
    finished_on: Mapped[date | None]
    due_on: Mapped[date | None]  # the promised limit, moved by corrections and extensions
    legal_due_on: Mapped[date | None]  # the legal limit: a hard ceiling for extensions
    clock_suspended_on: Mapped[date | None]  # 补正期间不计时: set while the applicant corrects
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkItem(Base):
    """A human task: a step of a case waiting for a person's typed decision."""

    __tablename__ = "work_items"
    __table_args__ = (Index("uq_work_items_case_step", "case_id", "step_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[str] = mapped_column(String(64))
    step_key: Mapped[str] = mapped_column(String(100))  # step + attempt: idempotent re-opening
    title: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(64))
    candidate_group: Mapped[str] = mapped_column(String(100), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    owner: Mapped[str | None] = mapped_column(String(64))  # who delegated it (委派)
    status: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[int] = mapped_column(default=50)
    due_on: Mapped[date | None] = mapped_column(index=True)
    follow_up_on: Mapped[date | None]
    deadline_kind: Mapped[str | None] = mapped_column(String(16))
    ladder: Mapped[str | None] = mapped_column(String(64))
    # 会签/或签: items of one stage share stage_key; "all" needs every one, "any" the first.
    stage_key: Mapped[str | None] = mapped_column(String(100))
    stage_mode: Mapped[str | None] = mapped_column(String(8))
    waits_for: Mapped[int | None]  # 前加签: this item waits for the signer added before it
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}


class Escalation(Base):
    """One level of a ladder applied to one work item; unique, so a sweep never repeats it."""

    __tablename__ = "escalations"
    __table_args__ = (Index("uq_escalations_item_level", "work_item_id", "level", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    ladder: Mapped[str] = mapped_column(String(64))
    level: Mapped[int]
    name_zh: Mapped[str] = mapped_column(String(100))
    notified: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date | None]
    applied_on: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class PublishedVersion(Base):
    """Which version of a process new cases start on; one row per publication (history)."""

    __tablename__ = "process_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    process: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeadlineExtension(Base):
    """A request to extend a case's promised deadline, and its approval or refusal."""

    __tablename__ = "deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    working_days: Mapped[int]
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    due_before: Mapped[date | None]
    due_after: Mapped[date | None]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
