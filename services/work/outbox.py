"""The transactional outbox: what must reach Prefect is written with the change that causes it,
and a relay delivers it after commit, again and again until it is delivered.

Delivery is at least once; applying is exactly once because each kind is idempotent where it
lands: a start carries an idempotency key, a resume names the pause it answers
(orchestration.py), a notification carries a key its consumer records (notifications.py).

With several workers, each runs a relay; a relay claims the messages it is about to send for a
lease (`claimed_by`, `claimed_until`), so each message is sent by one relay (`deliveries`
counts the times a relay marked it sent, `sent_by` names the relay). A relay that dies
leaves its claims to expire, and another relay then sends them; a relay always takes back its
own claims (its passes run one after another, so none of them is still being sent).

A message Prefect refuses for now (a resume whose run has not paused yet) or cannot take (the
server down) waits before its next attempt, doubling from 0.1 s up to 2 s: a relay's pass then
sends what can go, instead of asking again every 0.1 s for what cannot.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import and_, or_, select
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
# Longer than a pass of sends takes. A send that outlasts it (Prefect's client retrying a busy
# server) may be sent again by another relay and is still applied once: the lease saves work,
# correctness does not rest on it.
LEASE = timedelta(seconds=60)
FIRST_RETRY, LAST_RETRY = timedelta(seconds=0.1), timedelta(seconds=2)


def add(session: Session, kind: str, payload: dict[str, Any]) -> None:
    session.add(models.OutboxMessage(kind=kind, payload=payload, created_at=datetime.now(UTC)))


def notify(session: Session, *, to: str, subject: str, body: str,
           case_id: int | None = None) -> None:
    """A notification, delivered after commit. Its key is minted now and stored in the message,
    so every delivery of it brings the same key and the consumer sends it once
    (notifications.deliver); a key minted at sending would differ on each re-send."""
    add(session, NOTIFY, {"key": f"notify-{uuid.uuid4().hex}", "case_id": case_id, "to": to,
                          "subject": subject, "body": body})


def rerun(deployment: str, **parameters: Any) -> dict[str, Any]:
    """How to start a case's run again when its process is not started per case but by a
    schedule (a meeting, a forum): the deployment and the parameters that bring the new run
    back to the same case. Kept in the case's details; the reconciler reads it."""
    return {"deployment": deployment,
            "parameters": {k: v.isoformat() if hasattr(v, "isoformat") else v
                           for k, v in parameters.items()}}


def start_run(session: Session, case: Case, purpose: str,
              replacing: str | None = None) -> None:
    """Start the case's run on its process version, or as its details' `rerun` says (after
    commit); with `replacing`, stop that run first (a case sent back, or moved to another
    version, or re-driven by the reconciler)."""
    again = (case.details or {}).get("rerun")
    payload = {"deployment": again["deployment"] if again else processes.deployment_of(
                   case.process, case.process_version),
               "parameters": again["parameters"] if again else {"case_id": case.id},
               "case_id": case.id, "idempotency_key": start_key(case.id, purpose)}
    if replacing is None:
        add(session, START, payload)
    else:
        add(session, RESTART, payload | {"old_flow_run_id": replacing})


def case_of(payload: dict[str, Any]) -> int:
    """The case a start message is for (messages written before `case_id` was kept beside
    the parameters have it among them)."""
    return payload.get("case_id") or payload["parameters"]["case_id"]


def relay_name(node: str | None = None) -> str:
    """A relay as `sent_by` names it: the machine (its GOVFLOW_NODE_NAME, else the host name),
    the process, and a suffix for a pid the system gives out again."""
    return f"{node or socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


RELAY = relay_name()  # this process's relay, unless its worker names the machine


def start_key(case_id: int, purpose: str) -> str:
    """An idempotency key for starting a case's run: the same on every retry of this message
    (it is stored in it), and never the same as another installation's or an earlier
    database's case with the same number sharing the Prefect server."""
    return f"case-{case_id}-{purpose}-{uuid.uuid4().hex}"


def deliver_pending(db: Database, prefect: Prefect, limit: int = 50,
                    pool: ThreadPoolExecutor | None = None, relay: str = RELAY) -> int:
    """Claim what is pending and deliver it, oldest first (side by side with a `pool`: each
    message is independent of the others); returns how many were delivered."""
    pending = _claim(db, relay, _claimable(db, relay, limit))
    deliver = partial(_deliver, db, prefect, relay=relay)
    return sum(pool.map(deliver, pending) if pool else map(deliver, pending))


def _claimable(db: Database, relay: str, limit: int) -> list[int]:
    """Messages not sent and not claimed by another relay's running lease (a read, so an idle
    relay never takes the write lock)."""
    message = models.OutboxMessage
    with db.reading() as uow:
        # Notifications apart: resumes waiting for their run to suspend, or starts piling up
        # while Prefect is down, must not hold every place in the batch.
        return [id_ for only in (message.kind == NOTIFY, message.kind != NOTIFY)
                for id_ in uow.session.scalars(
                    select(message.id).where(message.sent_at.is_(None), only,
                                             _due_for(relay, datetime.now(UTC)))
                    .order_by(message.id).limit(limit))]


def _claim(db: Database, relay: str, ids: list[int]) -> list[models.OutboxMessage]:
    """Take the messages still free for `relay`: another relay may have taken some since they
    were read (PostgreSQL skips the rows another relay is claiming at this moment; on SQLite
    the write lock makes claims one at a time)."""
    if not ids:
        return []
    message = models.OutboxMessage

    def work(uow) -> list[models.OutboxMessage]:
        now = datetime.now(UTC)
        taken = list(uow.session.scalars(
            select(message).where(message.id.in_(ids), message.sent_at.is_(None),
                                  _due_for(relay, now))
            .order_by(message.id).with_for_update(skip_locked=True)))
        for row in taken:
            row.claimed_by, row.claimed_until = relay, now + LEASE
        uow.commit()
        return taken

    return db.run(work)


def _due_for(relay: str, now: datetime):
    """Not claimed by another relay's running lease, and not waiting out a back-off."""
    message = models.OutboxMessage
    return and_(or_(message.claimed_by.is_(None), message.claimed_by == relay,
                    message.claimed_until < now),
                or_(message.next_attempt_at.is_(None), message.next_attempt_at <= now))


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th refused or failed attempt."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 10), LAST_RETRY)


def _deliver(db: Database, prefect: Prefect, message: models.OutboxMessage, *,
             relay: str) -> bool:
    try:
        outcome, result = _send(db, prefect, message)
    except OrchestrationError as exc:
        log.warning("outbox message %s not delivered: %s", message.id, exc)
        _record_attempt(db, message.id, str(exc))
        return False
    if outcome is Delivery.NOT_YET:
        _record_attempt(db, message.id, outcome.value)
        return False
    _mark_sent(db, message, outcome, result, relay)
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
               flow_run_id: str | None, relay: str) -> None:
    def work(uow):
        row = uow.session.get(models.OutboxMessage, message.id)
        row.sent_at = datetime.now(UTC)
        row.attempts += 1
        # In the UPDATE itself: two relays marking one message at once both count.
        row.deliveries = models.OutboxMessage.deliveries + 1
        row.sent_by = relay
        row.last_error = None if outcome is Delivery.DELIVERED else outcome.value
        if message.kind in (START, RESTART) and flow_run_id:
            case = uow.session.get(Case, case_of(message.payload))
            case.flow_run_id = flow_run_id
        uow.commit()

    db.run(work)


def _record_attempt(db: Database, message_id: int, error: str) -> None:
    def work(uow):
        row = uow.session.get(models.OutboxMessage, message_id)
        row.attempts += 1
        row.last_error = error[:2000]
        row.next_attempt_at = datetime.now(UTC) + backoff(row.attempts)
        uow.commit()

    db.run(work)


def relay(db: Database, prefect: Prefect, stop: threading.Event, interval: float = 0.1,
          senders: int = 8, on_delivery: Callable[[], None] | None = None,
          name: str = RELAY) -> None:
    """Deliver pending messages until `stop` is set (runs beside the worker): at once while
    there is work, then every `interval` seconds; `senders` calls to Prefect at a time.
    `on_delivery` is told after a pass that delivered some (the worker's executor asks for
    the runs it made due at once). `name` is what `sent_by` records (relay_name)."""
    with ThreadPoolExecutor(senders, thread_name_prefix="outbox") as pool:
        while not stop.is_set():
            try:
                delivered = deliver_pending(db, prefect, pool=pool, relay=name)
            except Exception:  # the relay must outlive any one bad message or outage
                log.exception("outbox relay pass failed")
                delivered = 0
            if delivered and on_delivery:
                on_delivery()
            if not delivered:
                stop.wait(interval)
