"""The grid intake under 20 concurrent clients on SQLite: issues reported per second through
`POST /api/v1/issues` against the intake's bare insert of a case row (bench/bare.py) served by
the same process, database and run (bare and govflow alternate in rounds, as bench/intake.py).

What the grid intake does beyond the bare insert: the token and account, the category and the
grid (and building) checked against the data and the org tree, the case and the issue rows,
the handler's work item with its deadline, two audit events, the answer read back.

Each client is a community secretary (16 communities) reporting in a grid of its community.

    python -m bench.grid [REQUESTS]
"""

import json
import sys
import tempfile
from pathlib import Path

import httpx

from bench.intake import APPLICANT, BARE, Connection, alternate
from bench.stack import api_server, login

CLIENTS = 20
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


def main(requests: int = 400) -> dict:
    with tempfile.TemporaryDirectory(prefix="govflow-bench-") as scratch:
        with api_server(f"sqlite:///{Path(scratch) / 'govflow.db'}") as (api, _):
            w = Workload.prepare(api)
            measured = alternate(w, CLIENTS, requests, govflow=w.report, bare=w.bare_insert)
    g, b = measured["govflow"], measured["bare"]
    result = {"dialect": "sqlite", "clients": CLIENTS, "requests": requests} | measured | {
        "ratio": {"throughput": round(g["per_second"] / b["per_second"], 2),
                  "p50": round(g["p50_ms"] / b["p50_ms"], 2),
                  "p99": round(g["p99_ms"] / b["p99_ms"], 2)}}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"grid intake, sqlite, {CLIENTS} clients, {requests} requests a measure")
    print(f"{'':<30}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for label, m in (("POST /issues (govflow)", g), ("bare insert (baseline)", b)):
        print(f"{label:<30}{m['per_second']:>8}{m['p50_ms']:>8}{m['p99_ms']:>8}")
    print(f"{'ratio':<30}{result['ratio']['throughput']:>7}×{result['ratio']['p50']:>7}×"
          f"{result['ratio']['p99']:>7}×")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
