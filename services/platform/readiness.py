"""Is this instance ready to serve? The database answers and is migrated, the reference data
is loaded, and the Prefect server answers."""

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


def check(db: Database, prefect_api_url: str) -> Readiness:
    checks = [_database(db), _reference(db), _prefect(prefect_api_url)]
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
