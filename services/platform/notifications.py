"""Notifications: the channel is an adapter (the embedded mode logs each message); the consumer
in front of it applies each notification once.

The outbox relay delivers at least once: when it dies after the channel took a message and
before it marked the message sent, it delivers the message again. Every notification carries a
key written into it with the message (`outbox.notify`), so every delivery of that message
brings the same key. The consumer records the key, under a unique constraint, in the
transaction that hands the message to the channel: a delivery that finds its key sends
nothing, and of two relays delivering one message at once the second waits on the key, then
sends nothing. A channel that fails leaves nothing recorded, and the relay tries again.

One window stays open with a channel that is not transactional: the process dying after the
channel took the message and before that transaction commits. The message is then sent again
(at least once, never lost). A channel that accepts an idempotency key — as SMS and mail
gateways do — closes it: it is given the same key.
"""

import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.platform.db import models
from services.platform.db.uow import Database

log = logging.getLogger("govflow.notifications")


class Delivered(BaseModel):
    key: str
    case_id: int | None
    recipient: str
    subject: str
    delivered_at: datetime


def deliver(db: Database, key: str, message: dict[str, Any], outbox_id: int | None = None
            ) -> bool:
    """Give `message` to the channel unless a delivery under `key` is recorded; True when it
    was given now, False when it had been delivered before."""
    try:
        # Not db.run: running the unit again after a conflict would send the message again.
        # A failed delivery goes back to the relay, which is the retry.
        with db.writing() as uow:
            if uow.session.get(models.DeliveredNotification, key) is not None:
                return False
            uow.session.add(models.DeliveredNotification(
                key=key, outbox_id=outbox_id, case_id=message.get("case_id"),
                recipient=message["to"], subject=message["subject"],
                delivered_at=datetime.now(UTC)))
            uow.session.flush()  # takes the key: a concurrent delivery of it waits here
            send(message, key)
            uow.commit()
            return True
    except IntegrityError:
        if is_delivered(db, key):  # another relay delivered it first
            return False
        raise


def is_delivered(db: Database, key: str) -> bool:
    with db.reading() as uow:
        return uow.session.get(models.DeliveredNotification, key) is not None


def delivered_for(db: Database, case_id: int) -> list[Delivered]:
    """The notifications delivered about a case, oldest first: each once, whatever the relay
    did (`len(...)` counts them)."""
    with db.reading() as uow:
        rows = uow.session.scalars(select(models.DeliveredNotification).where(
            models.DeliveredNotification.case_id == case_id).order_by(
            models.DeliveredNotification.delivered_at, models.DeliveredNotification.key))
        return [Delivered.model_validate(row, from_attributes=True) for row in rows]


def send(message: dict[str, Any], key: str | None = None) -> None:
    """The channel. The embedded mode logs; an SMS or mail gateway would be given `key` as its
    idempotency key."""
    log.info("notify %s: %s — %s [%s]", message["to"], message["subject"], message["body"], key)
