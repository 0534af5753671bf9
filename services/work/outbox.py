"""The transactional outbox: what must reach Prefect is written with the change that causes it,
and a relay delivers it after commit, again and again until it is delivered.

Delivery is at least once; applying is exactly once because each kind is idempotent where it
lands: a start carries an idempotency key, a resume names the pause it answers
(orchestration.py), a notification carries a key its consumer records (notifications.py).
"""

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import processes
from services.platform import notifications
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.orchestration import Delivery, OrchestrationError, Prefect
from services.work.models import Case

log = logging.getLogger("govflow.outbox")
START, RESUME, NOTIFY = "start_flow_run", "resume_flow_run", "notify"
RESTART = "restart_flow_run"  # a case sent back: stop its run, start a new one that replays


def add(session: Session, kind: str, payload: dict[str, Any]) -> None:
    session.add(models.OutboxMessage(kind=kind, payload=payload, created_at=datetime.now(UTC)))


def notify(session: Session, *, to: str, subject: str, body: str,
           case_id: int | None = None) -> None:
    """A notification, delivered after commit. Its key is minted now and stored in the message,
    so every delivery of it brings the same key and the consumer sends it once
    (notifications.deliver); a key minted at sending would differ on each re-send."""
    add(session, NOTIFY, {"key": f"notify-{uuid.uuid4().hex}", "case_id": case_id, "to": to,
                          "subject": subject, "body": body})


def start_run(session: Session, case: Case, purpose: str,
              replacing: str | None = None) -> None:
    """Start the case's run on its process version (after commit); with `replacing`, stop that
    run first (a case sent back, or moved to another version)."""
    payload = {"deployment": processes.deployment_of(case.process, case.process_version),
               "parameters": {"case_id": case.id},
               "idempotency_key": start_key(case.id, purpose)}
    if replacing is None:
        add(session, START, payload)
    else:
        add(session, RESTART, payload | {"old_flow_run_id": replacing})


def start_key(case_id: int, purpose: str) -> str:
    """An idempotency key for starting a case's run: the same on every retry of this message
    (it is stored in it), and never the same as another installation's or an earlier
    database's case with the same number sharing the Prefect server."""
    return f"case-{case_id}-{purpose}-{uuid.uuid4().hex}"


def deliver_pending(db: Database, prefect: Prefect, limit: int = 50,
                    pool: ThreadPoolExecutor | None = None) -> int:
    """Deliver what is pending, oldest first (side by side with a `pool`: each message is
    independent of the others); returns how many were delivered."""
    with db.reading() as uow:
        # Notifications apart: resumes waiting for their run to suspend, or starts piling up
        # while Prefect is down, must not hold every place in the batch.
        kind = models.OutboxMessage.kind
        pending = [m for only in (kind == NOTIFY, kind != NOTIFY) for m in uow.session.scalars(
            select(models.OutboxMessage).where(models.OutboxMessage.sent_at.is_(None), only)
            .order_by(models.OutboxMessage.id).limit(limit))]
    deliver = partial(_deliver, db, prefect)
    return sum(pool.map(deliver, pending) if pool else map(deliver, pending))


def _deliver(db: Database, prefect: Prefect, message: models.OutboxMessage) -> bool:
    try:
        outcome, result = _send(db, prefect, message)
    except OrchestrationError as exc:
        _record_attempt(db, message.id, str(exc))
        return False
    if outcome is Delivery.NOT_YET:
        return False
    _mark_sent(db, message, outcome, result)
    return outcome is Delivery.DELIVERED


def _send(db: Database, prefect: Prefect, message: models.OutboxMessage
          ) -> tuple[Delivery, str | None]:
    p = message.payload
    if message.kind == START:
        return Delivery.DELIVERED, prefect.start(p["deployment"], p["parameters"],
                                                 p["idempotency_key"])
    if message.kind == RESTART:
        if p["old_flow_run_id"]:
            prefect.cancel(p["old_flow_run_id"])
        return Delivery.DELIVERED, prefect.start(p["deployment"], p["parameters"],
                                                 p["idempotency_key"])
    if message.kind == NOTIFY:
        # Delivered either now or by an earlier attempt that died before marking it sent.
        # Messages written before notifications carried a key are known by their row.
        notifications.deliver(db, p.get("key") or f"outbox-{message.id}", p, message.id)
        return Delivery.DELIVERED, None
    if message.kind == RESUME:
        return prefect.resume(p["flow_run_id"], p["pause_key"], p["run_input"]), None
    raise ValueError(f"unknown outbox message kind {message.kind}")


def _mark_sent(db: Database, message: models.OutboxMessage, outcome: Delivery,
               flow_run_id: str | None) -> None:
    def work(uow):
        row = uow.session.get(models.OutboxMessage, message.id)
        row.sent_at = datetime.now(UTC)
        row.attempts += 1
        row.last_error = None if outcome is Delivery.DELIVERED else outcome.value
        if message.kind in (START, RESTART) and flow_run_id:
            case = uow.session.get(Case, message.payload["parameters"]["case_id"])
            case.flow_run_id = flow_run_id
        uow.commit()

    db.run(work)


def _record_attempt(db: Database, message_id: int, error: str) -> None:
    def work(uow):
        row = uow.session.get(models.OutboxMessage, message_id)
        row.attempts += 1
        row.last_error = error[:2000]
        uow.commit()

    log.warning("outbox message %s not delivered: %s", message_id, error)
    db.run(work)


def relay(db: Database, prefect: Prefect, stop: threading.Event, interval: float = 0.1,
          senders: int = 8) -> None:
    """Deliver pending messages until `stop` is set (runs beside the worker): at once while
    there is work, then every `interval` seconds; `senders` calls to Prefect at a time."""
    with ThreadPoolExecutor(senders, thread_name_prefix="outbox") as pool:
        while not stop.is_set():
            try:
                delivered = deliver_pending(db, prefect, pool=pool)
            except Exception:  # the relay must outlive any one bad message or outage
                log.exception("outbox relay pass failed")
                delivered = 0
            if not delivered:
                stop.wait(interval)
