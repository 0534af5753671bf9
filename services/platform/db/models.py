"""The business records. Reference tables mirror policies/data (loaded by `govflow load-reference`)
so that every case can point at its service, department, station and org unit by foreign key."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrgUnit(Base):
    __tablename__ = "org_units"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("org_units.code"), index=True)


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    head_title_zh: Mapped[str] = mapped_column(String(100))


class Station(Base):
    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    street_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    community_code: Mapped[str | None] = mapped_column(ForeignKey("org_units.code"))
    address_zh: Mapped[str] = mapped_column(String(300))


class Service(Base):
    __tablename__ = "services"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    delegated: Mapped[bool]
    on_the_spot: Mapped[bool]
    no_meeting: Mapped[bool]
    promised_working_days: Mapped[int]
    legal_working_days: Mapped[int]
    fee_yuan: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    legal_basis_zh: Mapped[str] = mapped_column(String(300))
    applicant_kinds: Mapped[list[str]] = mapped_column(JSON)
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"), index=True)
    org_unit_code: Mapped[str | None] = mapped_column(ForeignKey("org_units.code"), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(11))
    # An applicant's account: the citizen ID number or credit code it was verified with, which
    # is how its applications are found (cases.applicant_number). One account per applicant.
    applicant_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Append-only and hash-chained: each row's hash covers its content and the previous hash."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(Text)


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


class OutboxMessage(Base):
    """Written in the transaction that decides; delivered to Prefect after commit, retried
    until delivered, so an acknowledged decision survives Prefect being down."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


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


class IdempotencyKey(Base):
    """A submission's Idempotency-Key with the answer it got, so a retry gets the same one."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


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


class DeliveredNotification(Base):
    """A notification the channel was given, once per key: the relay that delivers its message
    again (it died before marking it sent) finds the key here and sends nothing."""

    __tablename__ = "delivered_notifications"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    outbox_id: Mapped[int | None]  # the message that delivered it
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())
