"""Joint meetings: agenda assembly for a body whose area has 10,000 open cases, and convening
a year of meetings for the whole district (212): in process on SQLite, and as the year's
convening run on the embedded stack (`govflow up`: Prefect server and worker).

Agenda assembly is what convening does to propose the platform's items (QL-10b): the area's
overdue and escalated cases, most overdue first, capped, and the body's overdue resolutions.
Baseline, measured in the same run on the same database: reading every open case of the area
(id and deadline) — the least any listing of the area's open work must do. The year's
convening (invitations, proposed items, audit, notifications, one transaction per meeting)
is measured against a baseline of as many bare one-row transactions. The year's convening
run: Prefect creates the year's 212 runs from the 21 bodies' schedules (POST
/deployments/{id}/schedule, a window over 2025) and the worker executes them, each convening
its slot's meeting and suspending for the agenda; timed until every meeting is convened and
its run paused. Baseline on the same stack: as many runs of the probe deployment (a flow that
does nothing), created at once, until all have completed.

    python -m bench.meetings [open_cases] [--no-stack]
"""

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select, text

from bench.stack import embedded_stack, login
from bench.stack import wait_for as wait_until
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


def main(open_cases: int = 10_000, stack: bool = True) -> dict:
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
    if stack:
        result |= year_run()
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


def year_run() -> dict:
    with embedded_stack() as (api, prefect), httpx.Client(base_url=api, timeout=30) as http:
        meetings_ = wait_until(lambda: len(found := _deployments(prefect, "joint-meeting")) == 21
                               and found, "the bodies' deployments", interval=0.5)
        probe = _deployments(prefect, "probe")[0]
        started = time.perf_counter()
        for _ in range(YEAR_RUNS):
            _call("POST", f"{prefect}/deployments/{probe['id']}/create_flow_run", json={})
        wait_until(lambda: _runs(prefect, "probe", "COMPLETED") >= YEAR_RUNS, "the probe runs",
                   timeout=1800, interval=0.5)
        probes = time.perf_counter() - started
        auditor = login(http, "auditor")
        started = time.perf_counter()
        for d in meetings_:
            _call("POST", f"{prefect}/deployments/{d['id']}/schedule", json={
                "start_time": "2025-01-01T00:00:00+08:00",
                "end_time": "2026-01-01T00:00:00+08:00", "min_runs": 100, "max_runs": 100})
        wait_until(lambda: _runs(prefect, "joint-meeting", "PAUSED") >= YEAR_RUNS,
                   "the year's meetings", timeout=1800, interval=0.5)
        convening = time.perf_counter() - started
        convened = http.get("/api/v1/meetings", headers=auditor, params={"limit": 1}
                            ).json()["total"]
    return {"year_run_meetings": convened, "year_run_s": round(convening, 1),
            "baseline_probe_runs": YEAR_RUNS, "baseline_probe_runs_s": round(probes, 1)}


YEAR_RUNS = 4 + 16 + 192


def _deployments(prefect: str, flow: str) -> list[dict]:
    return _call("POST", f"{prefect}/deployments/filter", json={
        "flows": {"name": {"any_": [flow]}}, "limit": 200}).json()


def _runs(prefect: str, flow: str, state: str) -> int:
    return _call("POST", f"{prefect}/flow_runs/count", json={
        "flows": {"name": {"any_": [flow]}},
        "flow_runs": {"state": {"type": {"any_": [state]}}}}).json()


def _call(method: str, url: str, **kwargs) -> httpx.Response:
    for attempt in range(40):  # as Prefect's own client does, again while the server is busy
        response = httpx.request(method, url, timeout=30, **kwargs)  # (SQLite locked: 503)
        if response.status_code != 503:
            response.raise_for_status()
            return response
        time.sleep(min(0.3 * 2**attempt, 5))
    response.raise_for_status()
    return response


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 10_000, stack="--no-stack" not in sys.argv)
