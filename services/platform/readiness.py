"""Is this instance ready to serve? The database answers and is migrated, the reference data
is loaded, the Prefect server answers, and no process of the stack keeps failing."""

import json
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import text

from services.platform import orchestration
from services.platform.db.migrate import pending
from services.platform.db.uow import Database
from services.platform.reference_data import count_rows


class Check(BaseModel):
    name: str
    ok: bool
    detail: str


class Readiness(BaseModel):
    ready: bool
    checks: list[Check]


def check(db: Database, prefect_api_url: str,
          supervisor_status: Path | None = None) -> Readiness:
    checks = [_database(db), _reference(db), _prefect(prefect_api_url)]
    if supervisor_status is not None:
        checks.append(_processes(supervisor_status))
    return Readiness(ready=all(c.ok for c in checks), checks=checks)


def _database(db: Database) -> Check:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if pending(db):
            return Check(name="database", ok=False, detail="migrations pending: govflow migrate")
    except Exception as exc:  # readiness reports any failure rather than raising it
        return Check(name="database", ok=False, detail=type(exc).__name__)
    return Check(name="database", ok=True, detail="ok")


def _reference(db: Database) -> Check:
    try:
        counts = count_rows(db)
    except Exception as exc:
        return Check(name="reference_data", ok=False, detail=type(exc).__name__)
    ok = all(counts.values())
    detail = ", ".join(f"{k}={v}" for k, v in counts.items())
    return Check(name="reference_data", ok=ok, detail=detail if ok else f"not loaded ({detail})")


def _prefect(api_url: str) -> Check:
    ok, detail = orchestration.prefect_reachable(api_url)
    return Check(name="prefect", ok=ok, detail=detail)


def _processes(status_file: Path) -> Check:
    """The supervisor's word on its children (`govflow up`): one restarted over and over is
    failing even while it happens to be up."""
    try:
        status = json.loads(status_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Check(name="processes", ok=False, detail=f"no status: {type(exc).__name__}")
    failing = [f"{name} restarted {s['restarts_in_window']} times in 5 minutes "
               f"(last exit {s['last_exit']})" for name, s in status.items() if s["failing"]]
    return Check(name="processes", ok=not failing, detail="; ".join(failing) or "ok")
