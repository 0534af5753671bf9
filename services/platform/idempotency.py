"""Requests still being answered, by Idempotency-Key, in this process.

A retry that arrives while the first request with its key is still in flight gets 409 at
once (the IETF Idempotency-Key draft, §2.6) instead of queueing behind it: the client learns
it retried too early and retries later, when the stored answer is there. The set lives in
memory on purpose: a crashed process leaves no stale claim behind to block the retries that
follow the crash. Across API replicas the database's unique key still allows one case per
key; the later request then gets the earlier answer (`earlier_case`, `remember`).
"""

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput

_in_flight: set[str] = set()
_lock = threading.Lock()


@contextmanager
def answering(key: str | None) -> Iterator[None]:
    if key is None:
        yield
        return
    with _lock:
        if key in _in_flight:
            raise Conflict("a request with this Idempotency-Key is still being answered; "
                           "retry when it has been", field="Idempotency-Key")
        _in_flight.add(key)
    try:
        yield
    finally:
        with _lock:
            _in_flight.discard(key)


def run_once(db: Database, key: str | None, work: Callable):
    """Run the unit of work `work` as the one answer to `key`: a retry in flight here gets 409
    (`answering`); one that another replica answered first, storing the key a moment before
    this commit, fails on the key's unique index and runs again to find that answer."""
    with answering(key):
        try:
            return db.run(work)
        except IntegrityError:
            if not key:
                raise
            return db.run(work)


def request_hash(data: BaseModel) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def earlier_case(session: Session, key: str, username: str, hashed: str) -> int | None:
    """The case an earlier request with this key opened, or None; the key reused by another
    account or for another body is refused."""
    earlier = session.get(models.IdempotencyKey, key)
    if earlier is None:
        return None
    if earlier.actor != username or earlier.request_hash != hashed:
        raise InvalidInput("this Idempotency-Key was used for a different request",
                           field="Idempotency-Key")
    return earlier.case_id


def remember(session: Session, key: str, username: str, hashed: str, case_id: int) -> None:
    """In the transaction that opens the case: a retry, on any replica, finds it."""
    session.add(models.IdempotencyKey(key=key, actor=username, request_hash=hashed,
                                      case_id=case_id, created_at=datetime.now(UTC)))
