"""Requests still being answered, by Idempotency-Key, in this process.

A retry that arrives while the first request with its key is still in flight gets 409 at
once (the IETF Idempotency-Key draft, §2.6) instead of queueing behind it: the client learns
it retried too early and retries later, when the stored answer is there. The set lives in
memory on purpose: a crashed process leaves no stale claim behind to block the retries that
follow the crash. Across API replicas the database's unique key still allows one case per
key; the later request then gets the earlier answer.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from services.platform.errors import Conflict

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
