"""Engines for the business database.

SQLite (embedded mode) runs in WAL with every write transaction opened by BEGIN IMMEDIATE:
the write lock is taken up front and waited for (busy_timeout) instead of failing half-way
with "database is locked". Read-only units use a plain BEGIN so they never queue behind writers.
PostgreSQL runs at READ COMMITTED; serialization failures and deadlocks are retried by the
unit of work (services/platform/db/uow.py).
"""

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

READ_ONLY = "govflow_read_only"
SQLITE_BUSY_TIMEOUT_MS = 60_000


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    writers = threading.Lock()
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", lambda conn: _begin_sqlite_transaction(conn, writers))
    event.listen(engine, "commit", lambda conn: _end_write(conn, writers))
    event.listen(engine, "rollback", lambda conn: _end_write(conn, writers))
    return engine


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite_transaction(connection, writers: threading.Lock) -> None:
    """Writers of this process queue on a lock before BEGIN IMMEDIATE: SQLite's own busy
    handler sleeps in growing steps (up to 100 ms) and gives a long tail under concurrency;
    the busy timeout still covers writers in other processes."""
    if connection.get_execution_options().get(READ_ONLY, False):
        connection.exec_driver_sql("BEGIN")
        return
    writers.acquire()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        writers.release()
        raise
    connection.info["holds_write_lock"] = True


def _end_write(connection, writers: threading.Lock) -> None:
    if connection.info.pop("holds_write_lock", False):
        writers.release()
