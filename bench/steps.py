"""Does a case's 10th step cost more than its 1st? (issue 15: a step whose cost does not grow)

A long case, on the whole stack (`govflow up`): a grid issue (网格闭环, flows/grid/grid_loop.py)
whose supervisor rejects the department's work round after round — the water bureau records a
resolution, the community secretary finds the drain still blocked, and so on. Step 1 is the
run's start (the issue reported → its run waits for the resolution); step n is the (n-1)-th
recorded step → the run waits again. CASES issues go through the steps in lockstep, one step
at a time, so each step index is measured on its own:

- wall: the HTTP request recording the step → the run Paused again (Prefect's state);
- CPU: the worker's and the Prefect server's seconds, per step;
- Prefect API calls the worker made for the run (its httpx log; the executor's polls counted
  apart, they go on whether or not a case moves);
- where the wall time goes, from the run's own state history: the relay's hop (step recorded →
  the run rescheduled by the resume), the worker's pick-up (→ Running), the run itself
  (Running → Paused).

Baseline, same stack and run: the empty `probe/ping` run, created → Completed.

The worker polls every 0.25 s here (GOVFLOW_WORKER_POLL_SECONDS; 2 s by default): a step is
picked up at once all the same (the relay wakes the executor), but the empty run, created
straight in Prefect, would otherwise wait for the next poll. The idle cost of the default poll
is bench/idle.py's.

The deployments' schedules (sweeps every minute, the reconciler every two) are paused once the
worker has registered them: they cost the same whatever the cases do (the idle cost,
bench/idle.py) and would land in some steps' windows and not others.

    python -m bench.steps [--cases 5] [--steps 12] [--dialect postgresql]
"""

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.orchestration import ENDED, Processes, databases, sqlite_url_of
from bench.stack import embedded_stack, login, wait_for
from services.platform.db.uow import Database
from services.platform.orchestration import Prefect
from services.work.models import Case

RESULTS = Path(__file__).parent / "results" / "steps.json"
GRID = "haicang-street-haicang-g01"  # 海沧社区第一网格
SECRETARY, WATER = "secretary-haicang-street-haicang", "officer-water"
# Logged by httpx for every request the worker's Prefect client makes.
CALL = re.compile(r"^(\S+ \S+) INFO httpx: HTTP Request: (\w+) \S+?/api(/\S*) ")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The executor asking what is due (flows/engine/executor.py): counted apart from the steps.
POLLS = ("POST /deployments/get_scheduled_flow_runs", "POST /flow_runs/filter")


def main() -> dict:
    args = parse_args()
    env = {"GOVFLOW_TODAY": "2026-11-02", "GOVFLOW_LOG_PREFECT_CALLS": "1",
           "GOVFLOW_WORKER_POLL_SECONDS": "0.25"}
    with databases(args.dialect) as urls, embedded_stack(env | urls) as (api, prefect_api):
        processes = Processes.of_stack()
        db = Database(urls.get("GOVFLOW_DATABASE_URL") or sqlite_url_of(processes))
        log = Path(processes.workers[0].cwd()) / "var" / "logs" / "worker.log"
        with Prefect(prefect_api) as prefect, httpx.Client(base_url=api, timeout=60) as http:
            registered(prefect)
            pause_schedules(prefect)
            empty_runs(prefect, processes, log, 2)  # warm-up: the first runs load code
            result = {"dialect": args.dialect,
                      "empty_run": empty_runs(prefect, processes, log, args.cases),
                      "steps": LongCases(http, db, prefect, processes, log).run(
                          args.cases, args.steps)}
        db.dispose()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    return result


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5, help="issues moved in lockstep")
    parser.add_argument("--steps", type=int, default=12, help="steps of each issue")
    parser.add_argument("--dialect", default="postgresql", choices=("sqlite", "postgresql"))
    return parser.parse_args()


def registered(prefect: Prefect) -> None:
    """Wait until the worker has registered its deployments (their count stops growing)."""
    counts = []

    def settled() -> bool:
        counts.append(prefect._call("POST", "/deployments/count", json={}))
        return len(counts) > 3 and counts[-1] == counts[-4] > 1
    wait_for(settled, "the worker to register its deployments", 180, interval=1)


def pause_schedules(prefect: Prefect) -> None:
    for deployment in prefect._call("POST", "/deployments/filter", json={}):
        if deployment["schedules"]:
            prefect._call("POST", f"/deployments/{deployment['id']}/pause_deployment")


def empty_runs(prefect: Prefect, processes: Processes, log: Path, runs: int) -> dict:
    walls, calls = [], Counter()
    with processes.cpu() as cpu:
        for n in range(runs):
            started, since = time.perf_counter(), datetime.now()
            run = prefect.start("probe/ping", {}, f"bench-steps-probe-{time.time_ns()}-{n}")
            wait_for(lambda run=run: prefect.state(run) in ENDED, "probe")
            walls.append(time.perf_counter() - started)
            calls += calls_since(log, since)
    return measure(walls, cpu.total, calls, runs)


class LongCases:
    """CASES grid issues, each rejected by its supervisor round after round."""

    def __init__(self, http, db: Database, prefect: Prefect, processes: Processes, log: Path):
        self.http, self.db, self.prefect = http, db, prefect
        self.processes, self.log = processes, log
        self.secretary, self.water = login(http, SECRETARY), login(http, WATER)
        self.cases: list[tuple[int, str]] = []  # (case id, its run)

    def run(self, cases: int, steps: int) -> list[dict]:
        measured = [self.step(1, lambda: [self.report(n) for n in range(cases)])]
        for n in range(2, steps + 1):
            measured.append(self.step(n, lambda n=n: [self.record(case, run, n)
                                                      for case, run in self.cases]))
            print(f"step {n}: {measured[-1]}", flush=True)
        return measured

    def step(self, n: int, act) -> dict:
        """`act` moves every case one step and returns each one's wall time."""
        since = datetime.now()
        with self.processes.cpu() as cpu:
            walls = act()
        return {"step": n, **measure(walls, cpu.total, calls_since(self.log, since), len(walls)),
                "cpu_s_by_process": {k: round(v / len(walls), 3)
                                     for k, v in cpu.by_process.items()},
                "where": self.where_the_time_went()}

    def report(self, n: int) -> float:
        started = time.perf_counter()
        issue = self.http.post("/api/v1/issues", headers=self.secretary, json={
            "category": "drain-blocked", "grid": GRID, "channel": "resident",
            "description": f"沧江花园{n + 1}号楼前下水道堵塞，污水漫到人行道"})
        issue.raise_for_status()
        case_id = issue.json()["id"]
        run = wait_for(lambda: self.run_of(case_id), "the issue's run", 60)
        self.wait_paused(run, None)
        self.cases.append((case_id, run))
        return time.perf_counter() - started

    def record(self, case_id: int, run: str, n: int) -> float:
        """Even steps: the water bureau's resolution; odd: the secretary rejects it."""
        before = self.prefect_run(run)["state"]["id"]
        started = time.perf_counter()
        if n % 2 == 0:
            answer = self.http.post(f"/api/v1/issues/{case_id}/resolution", headers=self.water,
                                    json={"result": f"第{n // 2}次疏通"})
        else:
            answer = self.http.post(f"/api/v1/issues/{case_id}/supervision",
                                    headers=self.secretary, json={
                                        "passed": False, "method": "on-site",
                                        "reasons": "井口仍有积水，未清理淤泥"})
        answer.raise_for_status()
        self.wait_paused(run, before)
        return time.perf_counter() - started

    def run_of(self, case_id: int) -> str | None:
        with self.db.reading() as uow:
            return uow.session.scalar(select(Case.flow_run_id).where(Case.id == case_id))

    def prefect_run(self, run: str) -> dict:
        return self.prefect._call("GET", f"/flow_runs/{run}")

    def wait_paused(self, run: str, before: str | None) -> None:
        def paused_again():
            state = self.prefect_run(run)["state"]
            return state["type"] == "PAUSED" and state["id"] != before
        wait_for(paused_again, "the run to wait again", 120, interval=0.02)

    def where_the_time_went(self) -> dict:
        """Median seconds of the last step of each case, from its run's state history."""
        parts = [phases(self.prefect._call("GET", "/flow_run_states/",
                                           params={"flow_run_id": run}))
                 for _, run in self.cases]
        return {k: round(statistics.median(p[k] for p in parts), 3) for k in parts[0]}


def phases(states: list[dict]) -> dict:
    """The last pause's way back: Paused → (resumed) Scheduled → Pending → Running → Paused."""
    at = [(s["type"], datetime.fromisoformat(s["timestamp"])) for s in states]
    at.sort(key=lambda s: s[1])
    end = max(i for i, (kind, _) in enumerate(at) if kind == "PAUSED")
    start = max((i for i, (kind, _) in enumerate(at[:end]) if kind == "PAUSED"), default=0)
    times = {kind: t for kind, t in at[start + 1:end + 1]}
    return {"resumed_to_running_s": (times["RUNNING"] - times.get(
                "SCHEDULED", times.get("PENDING", times["RUNNING"]))).total_seconds(),
            "running_to_paused_s": (times["PAUSED"] - times["RUNNING"]).total_seconds()}


def calls_since(log: Path, since: datetime) -> Counter:
    """The worker's Prefect API calls since then, by method and route."""
    calls = Counter()
    for line in log.read_text(errors="replace").splitlines():
        match = CALL.match(line)
        if match and datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f") >= since:
            calls[f"{match[2]} {UUID.sub('{id}', match[3].split('?')[0])}"] += 1
    return calls


def measure(walls: list[float], cpu_total: float, calls: Counter, n: int) -> dict:
    run_calls = {k: v for k, v in calls.items() if k not in POLLS}
    return {"wall_s": round(statistics.median(walls), 3), "cpu_s": round(cpu_total / n, 3),
            "calls": round(sum(run_calls.values()) / n, 1),
            "calls_by_route": {k: round(v / n, 1) for k, v in sorted(run_calls.items())}}


def print_table(result: dict) -> None:
    empty = result["empty_run"]
    print(f"\n{result['dialect']}: step   wall s   CPU s (worker + Prefect server)   "
          "Prefect calls   CPU vs empty run")
    print(f"  empty run  {empty['wall_s']:>6}   {empty['cpu_s']:>6}"
          f"{'':27}{empty['calls']:>6}")
    for step in result["steps"]:
        print(f"  {step['step']:>9}  {step['wall_s']:>6}   {step['cpu_s']:>6}{'':27}"
              f"{step['calls']:>6}   {step['cpu_s'] / empty['cpu_s']:.2f}×")
    first, tenth = result["steps"][0], result["steps"][9] if len(result["steps"]) > 9 else None
    if tenth:
        print(f"10th step / 1st step CPU: {tenth['cpu_s'] / first['cpu_s']:.2f} "
              f"(the first resume, step 2: {result['steps'][1]['cpu_s']} s)")


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
