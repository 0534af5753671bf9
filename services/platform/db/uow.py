"""The unit of work: one business transaction, committed explicitly or rolled back."""

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from services.platform.db.engine import READ_ONLY, make_engine

T = TypeVar("T")

# PostgreSQL serialization_failure and deadlock_detected; SQLite past its busy timeout.
RETRYABLE_SQLSTATES = {"40001", "40P01"}
MAX_ATTEMPTS = 5


class UnitOfWork:
    def __init__(self, session: Session):
        self.session = session

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, *exc_info) -> None:
        # close() discards an uncommitted transaction and, unlike rollback(), leaves what was
        # read usable after the unit ends.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = make_engine(url)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}))

    def reading(self) -> UnitOfWork:
        """A read-only unit: never blocks behind writers on SQLite."""
        return UnitOfWork(self._reader())

    def writing(self) -> UnitOfWork:
        return UnitOfWork(self._writer())

    def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` in a write unit, again from the start on a transient conflict: the
        database's (serialization, deadlock, SQLite's lock) or a versioned row changed by
        someone else between the unit's read and its write. Run again, `work` reads the
        change and decides anew (a flow re-opening its item finds it decided; a person's
        stale version is refused as a Conflict).

        `work` must commit itself; it may run more than once, so it does no outside I/O.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.writing() as uow:
                    return work(uow)
            except (DBAPIError, StaleDataError) as exc:
                if attempt == MAX_ATTEMPTS or not is_transient(exc):
                    raise
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def is_transient(exc: DBAPIError | StaleDataError) -> bool:
    if isinstance(exc, StaleDataError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)
