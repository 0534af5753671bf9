"""Joint meetings: agenda assembly for a body whose area has 10,000 open cases, and convening
a year of meetings for the whole district (212), in process on SQLite.

Agenda assembly is what convening does to propose the platform's items (QL-10b): the area's
overdue and escalated cases, most overdue first, capped, and the body's overdue resolutions.
Baseline, measured in the same run on the same database: reading every open case of the area
(id and deadline) — the least any listing of the area's open work must do. The year's
convening (invitations, proposed items, audit, notifications, one transaction per meeting)
is measured against a baseline of as many bare one-row transactions.

    python -m bench.meetings [open_cases]
"""

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from policies.access import Actor, Role
from policies.meetings.cadence import convening_day, period_by_code
from services.meetings import agenda, meetings
from services.meetings.bodies import bodies, rules
from services.platform import reference_data
from services.platform.db import models
from services.platform.db.migrate import upgrade
from services.platform.db.uow import Database
from services.work.models import Case, Escalation, WorkItem

RESULTS = Path(__file__).parent / "results" / "meetings.json"
TODAY = date(2026, 6, 5)
REPEAT = 20


def main(open_cases: int = 10_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        reference_data.load_reference(db, reference_data.read_reference(),
                                      Actor(username="system:bench", role=Role.ADMIN))
        seed(db, open_cases)
        district, community = bodies()["haicang"], bodies()["haicang-street-wencuo"]
        result = {
            "open_cases": open_cases,
            "agenda_district_ms": timed(lambda: assemble(db, district)),
            "baseline_district_scan_ms": timed(lambda: scan(db, district)),
            "agenda_community_ms": timed(lambda: assemble(db, community)),
            "baseline_community_scan_ms": timed(lambda: scan(db, community)),
        }
        result |= year(db)
        db.dispose()
    result["ratio_district_p50"] = round(result["agenda_district_ms"]["p50"]
                                         / result["baseline_district_scan_ms"]["p50"], 2)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


def seed(db: Database, n: int) -> None:
    """n open cases over every station; a third overdue, one in twenty escalated."""
    with db.reading() as uow:
        stations = list(uow.session.scalars(select(models.Station.code)))
    now = datetime.now(UTC)
    rows = [{"process": "approval", "process_version": 1, "status": "in_progress",
             "station_code": stations[i % len(stations)], "subject": f"案件{i}",
             "due_on": TODAY + timedelta(days=(i % 30) - 10), "created_at": now,
             "updated_at": now} for i in range(n)]

    def work(uow):
        uow.session.execute(insert(Case), rows)
        ids = list(uow.session.scalars(select(Case.id)))[::20]
        uow.session.execute(insert(WorkItem), [{
            "case_id": c, "step": "review", "step_key": "review#1", "title": "审批",
            "form": "approval", "candidate_group": "department:civil-affairs",
            "status": "open", "created_at": now, "version": 1} for c in ids])
        items = dict(uow.session.execute(select(WorkItem.case_id, WorkItem.id)).all())
        uow.session.execute(insert(Escalation), [{
            "work_item_id": items[c], "case_id": c, "ladder": "whistle", "level": 1,
            "name_zh": "社区党委书记哨", "notified": "secretary:haicang-street-wencuo"
            if k % 2 else "one-stop-centre", "applied_on": TODAY, "at": now}
            for k, c in enumerate(ids)])
        uow.commit()

    db.run(work)


def assemble(db: Database, body) -> int:
    with db.reading() as uow:
        return len(agenda.proposed_items(uow.session, body, TODAY, rules().proposed_items_max))


def scan(db: Database, body) -> int:
    with db.reading() as uow:
        stmt = agenda.in_area(select(Case.id, Case.due_on), body).where(
            Case.status == "in_progress")
        return len(uow.session.execute(stmt).all())


def year(db: Database) -> dict:
    """Every meeting of 2026 for the 21 bodies, as their schedules would convene them."""
    from services.platform.reference_data import read_calendar

    calendar = read_calendar()
    plan = [(b, convening_day(rules().cadence(b.level), period_by_code(
        rules().cadence(b.level), code)))
        for b in bodies().values() for code in _periods(b.level)]
    started = time.perf_counter()
    for body, day in plan:
        meetings.convene(db, calendar, rules(), body, day, None)
    convening = time.perf_counter() - started
    started = time.perf_counter()
    for _ in plan:
        db.run(lambda uow: (uow.session.execute(text("SELECT 1")), uow.commit()))
    bare = time.perf_counter() - started
    return {"year_meetings": len(plan), "year_convening_s": round(convening, 2),
            "baseline_bare_transactions_s": round(bare, 2)}


def _periods(level: str) -> list[str]:
    if level == "community":
        return [f"2026-{m:02d}" for m in range(1, 13)]
    return [f"2026-Q{q}" for q in range(1, 5)]


def timed(call) -> dict:
    call()  # warm
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": round(statistics.median(samples), 1),
            "p95": round(samples[int(0.95 * (len(samples) - 1))], 1)}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
