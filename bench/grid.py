"""The grid intake under 20 concurrent clients on SQLite: issues reported per second through
`POST /api/v1/issues` against the intake's bare insert of a case row (bench/bare.py) served by
the same process, database and run (bare and govflow alternate in rounds, as bench/intake.py).

What the grid intake does beyond the bare insert: the token and account, the category and the
grid (and building) checked against the data and the org tree, the case and the issue rows,
the handler's work item with its deadline, two audit events, the answer read back.

Each client is a community secretary (16 communities) reporting in a grid of its community.

Then the whistle (吹哨报到), on the same database and run: each community secretary whistles
WHISTLES of those issues summoning two departments. Measured:

- a department's report (`POST /issues/{id}/whistle/report`) until the issue's whistle record
  shows it: the answer carries the updated record, so the request's latency is that time
  (against the bare insert, same clients, same run, the two taken in alternating rounds);
- a report deadline missed until the issue's whistle level is updated: the whistle-sweep
  deployment runs every minute (flows/worker.py), so at most 60 s plus one sweep pass; the pass
  is measured here, in process, climbing every whistle whose second department never reported
  (against as many bare write transactions, one per whistle, and a read of the open whistles).

    python -m bench.grid [REQUESTS]
"""

import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, update

from bench.intake import APPLICANT, BARE, Connection, alternate
from bench.stack import api_server, login
from services.platform.db.uow import Database
from services.whistle import reference as whistle_reference
from services.whistle import whistles
from services.whistle.models import Summons, Whistle

CLIENTS = 20
WHISTLES = 200
REPORTERS = 4  # departments' clients reporting at once
SWEEP_INTERVAL_S = 60  # the whistle-sweep deployment's interval (flows/worker.py)
RESULTS = Path(__file__).parent / "results" / "grid.json"


class Workload:
    def __init__(self, api: str, reporters: list[tuple[dict[str, str], str]]):
        self.api, self.reporters = api, reporters

    @classmethod
    def prepare(cls, api: str) -> "Workload":
        with httpx.Client(base_url=api, timeout=60) as http:
            communities = http.get("/api/v1/org/units", params={
                "level": "community", "limit": 200}).json()["items"]
            reporters = [(login(http, f"secretary-{c['code']}"), f"{c['code']}-g01")
                         for c in communities]
        return cls(api, reporters)

    def report(self, conn: Connection, client: int, n: int) -> dict:
        headers, grid = self.reporters[client % len(self.reporters)]
        return conn.call("POST", "/api/v1/issues", {
            "category": "drain-blocked", "description": f"压测：下水道堵塞 {client}-{n}",
            "grid": grid, "channel": "patrol"}, headers=headers)

    def bare_insert(self, conn: Connection, client: int, n: int) -> dict:
        return conn.call("POST", BARE, {"service": "S001", "station": "st-01",
                                        "applicant": APPLICANT, "materials": [],
                                        "department": "water"})


class Whistled:
    """Issues whistled by their community secretaries, each summoning two departments."""

    def __init__(self, api: str, w: Workload):
        self.api, self.issues, self.opened = api, [], []
        self.bare_insert = w.bare_insert
        with httpx.Client(base_url=api, timeout=60) as http:
            for n in range(WHISTLES):
                headers, grid = w.reporters[n % len(w.reporters)]
                issue = http.post("/api/v1/issues", headers=headers, json={
                    "category": "illegal-construction", "description": f"压测：违建 {n}",
                    "grid": grid}).json()["id"]
                blown = http.post(f"/api/v1/issues/{issue}/whistle", headers=headers, json={
                    "kind": "routine", "reason": "需要城管执法和市场监管联合处理",
                    "departments": ["urban-management", "market-supervision"]}).json()
                self.issues.append(issue)
                self.opened.append(datetime.fromisoformat(blown["opened_at"]))
            self.urban = login(http, "officer-urban-management")
        self.unreported = iter(self.issues)  # next() on it is atomic under the GIL

    def report(self, conn: Connection, client: int, n: int) -> dict:
        if n < 0:  # the warm-up call reads instead of using up an issue
            return conn.call("GET", f"/api/v1/issues/{self.issues[client]}/whistle",
                             headers=self.urban)
        issue = next(self.unreported)
        answer = conn.call("POST", f"/api/v1/issues/{issue}/whistle/report",
                           {"note": "城管中队已到场"}, headers=self.urban)
        assert any(s["reported_at"] for s in answer["summons"]), answer  # shown at once
        return answer


def measure_whistle(api: str, database_url: str, w: Workload) -> dict:
    whistled = Whistled(api, w)
    measured = alternate(whistled, REPORTERS, WHISTLES, report=whistled.report,
                         bare=whistled.bare_insert)
    db = Database(database_url)
    try:
        late = max(whistled.opened) + timedelta(minutes=31)
        ids = _read_open_whistles(db)  # also: the pool's first connection is not a cost here
        bare = [_timed(lambda: _read_open_whistles(db)) for _ in range(5)]
        bare_writes = _timed(lambda: _touch_each(db, ids))
        began = time.perf_counter()
        climbed = whistles.sweep(db, whistle_reference.rules(), whistle_reference.ladder(), late)
        sweep_ms = 1000 * (time.perf_counter() - began)
        bare += [_timed(lambda: _read_open_whistles(db)) for _ in range(5)]
    finally:
        db.dispose()
    assert len(climbed) == WHISTLES, climbed  # every whistle's market department was late
    report, bare_insert = measured["report"], measured["bare"]
    read_ms = statistics.median(bare)
    return {
        "whistles": WHISTLES, "reporters": REPORTERS,
        "report_to_record": {"report": report, "bare_insert": bare_insert,
                             "ratio_p50": round(report["p50_ms"] / bare_insert["p50_ms"], 2)},
        "late_to_level": {"sweep_interval_s": SWEEP_INTERVAL_S,
                          "sweep_pass_ms": round(sweep_ms, 1),
                          "per_whistle_ms": round(sweep_ms / WHISTLES, 2),
                          "bare_read_ms": round(read_ms, 1),
                          "bare_transactions_ms": round(bare_writes, 1),
                          "ratio": round(sweep_ms / bare_writes, 1),
                          "worst_case_s": round(SWEEP_INTERVAL_S + sweep_ms / 1000, 1)}}


def _read_open_whistles(db: Database) -> list[int]:
    """What a sweep reads: the open whistles and their summons."""
    with db.reading() as uow:
        return sorted({w.id for w, _ in uow.session.execute(select(Whistle, Summons).join(
            Summons, Summons.whistle_id == Whistle.id).where(Whistle.level < 3))})


def _touch_each(db: Database, ids: list[int]) -> None:
    """The floor of a climb: one write transaction per whistle, changing nothing."""
    for whistle_id in ids:
        db.run(lambda uow, w=whistle_id: (uow.session.execute(
            update(Whistle).where(Whistle.id == w).values(level=Whistle.level)), uow.commit()))


def _timed(call) -> float:
    began = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - began)


def main(requests: int = 400) -> dict:
    with tempfile.TemporaryDirectory(prefix="govflow-bench-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'govflow.db'}"
        with api_server(url) as (api, _):
            w = Workload.prepare(api)
            measured = alternate(w, CLIENTS, requests, govflow=w.report, bare=w.bare_insert)
            whistle = measure_whistle(api, url, w)
    g, b = measured["govflow"], measured["bare"]
    result = {"dialect": "sqlite", "clients": CLIENTS, "requests": requests} | measured | {
        "ratio": {"throughput": round(g["per_second"] / b["per_second"], 2),
                  "p50": round(g["p50_ms"] / b["p50_ms"], 2),
                  "p99": round(g["p99_ms"] / b["p99_ms"], 2)}, "whistle": whistle}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"grid intake, sqlite, {CLIENTS} clients, {requests} requests a measure")
    print(f"{'':<30}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for label, m in (("POST /issues (govflow)", g), ("bare insert (baseline)", b)):
        print(f"{label:<30}{m['per_second']:>8}{m['p50_ms']:>8}{m['p99_ms']:>8}")
    print(f"{'ratio':<30}{result['ratio']['throughput']:>7}×{result['ratio']['p50']:>7}×"
          f"{result['ratio']['p99']:>7}×")
    print_whistle(whistle)
    return result


def print_whistle(r: dict) -> None:
    report, bare = r["report_to_record"]["report"], r["report_to_record"]["bare_insert"]
    print(f"\nwhistle, {r['whistles']} whistled issues, {r['reporters']} clients reporting")
    print(f"{'':<30}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for label, m in (("report → record (govflow)", report), ("bare insert (baseline)", bare)):
        print(f"{label:<30}{m['per_second']:>8}{m['p50_ms']:>8}{m['p99_ms']:>8}")
    late = r["late_to_level"]
    print(f"late → level updated: ≤ {late['sweep_interval_s']} s (sweep interval) + one pass: "
          f"{late['sweep_pass_ms']} ms for {r['whistles']} climbs "
          f"({late['per_whistle_ms']} ms each); as many bare write transactions "
          f"{late['bare_transactions_ms']} ms ({late['ratio']}×); reading the open whistles "
          f"{late['bare_read_ms']} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
