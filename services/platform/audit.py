"""The audit trail: every state change appends one event in the transaction that makes it.

Events are hash-chained (each hash covers the event and the previous hash), so an edited,
inserted or deleted row breaks the chain at its exact position; `verify` finds it.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from policies.access import Actor
from services.platform.db.models import AuditEvent

GENESIS_HASH = "0" * 64
# Appends are serialised so that two transactions never chain onto the same predecessor.
_PG_CHAIN_LOCK = 0x60F10A
_HEAD = "govflow.audit.head"  # session.info: (transaction, seq, hash) of its last event


def record(
    session: Session,
    actor: Actor,
    *,
    action: str,
    subject_type: str,
    subject_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    last_seq, last_hash = _chain_head(session)
    event = AuditEvent(
        seq=last_seq + 1,
        at=datetime.now(UTC),
        actor=actor.username,
        role=actor.role.value,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        before=_plain(before),
        after=_plain(after),
        note=note,
        prev_hash=last_hash,
    )
    event.hash = chain_hash(event)
    session.add(event)
    session.flush()
    session.info[_HEAD] = (session.get_transaction(), event.seq, event.hash)
    return event


def _chain_head(session: Session) -> tuple[int, str]:
    """The chain's last event: read (under the lock) once per transaction, then carried from
    event to event — the lock is held to the end of the transaction, so no one else appends."""
    cached = session.info.get(_HEAD)
    if cached and cached[0] is session.get_transaction():
        return cached[1], cached[2]
    _lock_chain(session)
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS_HASH)


def chain_hash(event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "seq": event.seq,
            "at": event.at.astimezone(UTC).isoformat(),
            "actor": event.actor,
            "role": event.role,
            "action": event.action,
            "subject": [event.subject_type, event.subject_id],
            "before": event.before,
            "after": event.after,
            "note": event.note,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((event.prev_hash + payload).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify(session: Session) -> ChainReport:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(
        yield_per=1000))
    return verify_events(rows)


def verify_events(events: Iterable[AuditEvent]) -> ChainReport:
    expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"event {expected_seq} is missing")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, "does not chain onto the event before it")
        if chain_hash(event) != event.hash:
            return ChainReport(checked, event.seq, "content does not match its hash")
        expected_seq, expected_prev, checked = event.seq + 1, event.hash, checked + 1
    return ChainReport(checked)


def query(
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> Select:
    stmt = select(AuditEvent).where(AuditEvent.seq > after_seq)
    for column, value in [
        (AuditEvent.subject_type, subject_type),
        (AuditEvent.subject_id, subject_id),
        (AuditEvent.actor, actor),
        (AuditEvent.action, action),
    ]:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(AuditEvent.seq).limit(limit)


def _lock_chain(session: Session) -> None:
    # SQLite: BEGIN IMMEDIATE already holds the database's single write lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the JSON column will give back, so the hash can be recomputed from the row."""
    return None if value is None else json.loads(json.dumps(value, default=str))
