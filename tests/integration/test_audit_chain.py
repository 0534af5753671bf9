import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from policies.access import Actor, Role
from services.platform import audit
from services.platform.db.uow import Database

clerk = Actor(username="clerk-st-01", role=Role.CLERK, station="st-01")


def append_events(db: Database, count: int) -> None:
    for n in range(count):
        def work(uow, n=n):
            audit.record(uow.session, clerk, action="case.noted", subject_type="case",
                         subject_id=f"C{n}", after={"n": n, "note": "材料齐全"})
            uow.commit()
        db.run(work)


def run_sql_without_guards(db: Database, sql: str) -> None:
    """What an intruder with database access would do: switch the guards off, then edit."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            connection.execute(text(sql))
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
            connection.execute(text(sql))


def govflow_audit_verify(db: Database) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).parent / "govflow"
    env = os.environ | {"GOVFLOW_DATABASE_URL": db.url}
    return subprocess.run([str(cli), "audit", "verify"], env=env, capture_output=True,
                          text=True, timeout=60)


def test_an_untouched_chain_verifies(fresh_db):
    append_events(fresh_db, 5)
    result = govflow_audit_verify(fresh_db)
    assert result.returncode == 0
    assert "audit chain intact: 5 events" in result.stdout


def test_an_edited_event_is_found_at_its_exact_position(fresh_db):
    append_events(fresh_db, 6)
    changed = json.dumps({"n": 3, "note": "材料不全"})
    run_sql_without_guards(fresh_db, f"UPDATE audit_events SET after = '{changed}' WHERE seq = 4")
    result = govflow_audit_verify(fresh_db)
    assert result.returncode == 1
    assert "audit chain broken at event 4" in result.stdout
    assert "content does not match its hash" in result.stdout


def test_a_deleted_event_is_found_at_its_exact_position(fresh_db):
    append_events(fresh_db, 6)
    run_sql_without_guards(fresh_db, "DELETE FROM audit_events WHERE seq = 2")
    result = govflow_audit_verify(fresh_db)
    assert result.returncode == 1
    assert "audit chain broken at event 2" in result.stdout
    assert "event 2 is missing" in result.stdout


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1",
    "DELETE FROM audit_events WHERE seq = 1",
])
def test_the_database_itself_refuses_to_change_the_trail(fresh_db, statement):
    append_events(fresh_db, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        with fresh_db.engine.begin() as connection:
            connection.execute(text(statement))
    with fresh_db.reading() as uow:
        assert audit.verify(uow.session).checked == 1


def test_concurrent_writers_all_succeed_and_chain_in_order(fresh_db):
    """Eight writers at once: no 'database is locked', no fork in the chain, no gap."""

    def writer(n: int) -> None:
        append_events(fresh_db, 15)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(writer, range(8)))
    with fresh_db.reading() as uow:
        report = audit.verify(uow.session)
    assert report.intact and report.checked == 8 * 15
