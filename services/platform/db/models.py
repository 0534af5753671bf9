"""The business records. Reference tables mirror policies/data (loaded by `govflow load-reference`)
so that every case can point at its service, department, station and org unit by foreign key."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.platform.db.types import UTCDateTime

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
    # The relay that took it and until when: other relays leave it alone until the lease ends,
    # so with several workers a message is sent by one of them (a dead relay's claims return).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Not before then: a message refused or failed waits with back-off (outbox.backoff) instead
    # of being sent again on every pass of every relay.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How many times a relay marked it sent (raised in the database, never read and written
    # back), and the relay that last did: 1 when the leases kept the relays apart.
    deliveries: Mapped[int] = mapped_column(default=0, server_default="0")
    sent_by: Mapped[str | None] = mapped_column(String(64))


class IdempotencyKey(Base):
    """A submission's Idempotency-Key with the answer it got, so a retry gets the same one."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
