"""What orchestration costs a case, measured on the whole stack (`govflow up`).

1. Cost per case step (a step = a run starting up to its wait for a decision, or a resume
   after a decision up to the case's end): wall time and CPU seconds of the worker and the
   Prefect server, one step at a time, against the empty run (`probe/ping`) on the same
   server and worker.
2. Throughput and memory: case steps per second sustained with 100 cases in flight (a driver
   submits a case whenever one ends and decides every review it finds), and the worker's
   peak memory (with its subprocesses, for the served baseline).
3. Scale-out: the same (for half the time) with a second worker process.

Each on the embedded default (SQLite) and on PostgreSQL (business database and Prefect
server), the in-process executor against Prefect's served deployments (a subprocess per run).

    python -m bench.orchestration [--seconds 120] [--steps 20]      (make bench)
"""

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.stack import embedded_stack, login, wait_for
from services.platform.db.uow import Database
from services.platform.orchestration import Prefect
from services.work.models import Case, WorkItem

RESULTS = Path(__file__).parent / "results" / "orchestration.json"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
IN_FLIGHT = 100
OFFICER, CLERK, STATION = "officer-civil-affairs", "clerk-st-30", "st-30"
ENDED = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def main() -> dict:
    args = parse_args()
    # A lane not run this time keeps its last figures, each lane with when it was measured.
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for dialect in args.dialects.split(","):
        results.setdefault(dialect, {})["in_process"] = lane(
            dialect, "in-process", args.steps, args.seconds, scale_out=True)
        if not args.no_served:
            results[dialect]["served"] = lane(dialect, "served", max(args.steps // 4, 5),
                                              args.seconds // 2)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return results


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=120, help="throughput window")
    parser.add_argument("--steps", type=int, default=20, help="cases timed one at a time")
    parser.add_argument("--dialects", default="sqlite,postgresql")
    parser.add_argument("--no-served", action="store_true", help="skip the served baseline")
    return parser.parse_args()


def lane(dialect: str, executor: str, steps: int, seconds: int, scale_out=False) -> dict:
    # The worker polls every 0.25 s (2 s by default), as in bench/steps.py: a case step is
    # picked up at once all the same (the relay wakes the executor), but the empty run,
    # created straight in Prefect, would otherwise wait up to 2 s for the next poll.
    env = {"GOVFLOW_TODAY": "2026-06-01", "GOVFLOW_WORKER_EXECUTOR": executor,
           "PREFECT_RUNNER_POLL_FREQUENCY": "1", "GOVFLOW_WORKER_RUNS": "16",
           "GOVFLOW_WORKER_POLL_SECONDS": "0.25"}
    with databases(dialect) as urls, embedded_stack(env | urls) as (api, prefect_api):
        processes = Processes.of_stack()
        db = Database(urls.get("GOVFLOW_DATABASE_URL") or sqlite_url_of(processes))
        with httpx.Client(base_url=api, timeout=60) as http:
            with Prefect(prefect_api) as prefect:
                wait_for(lambda: prefect.has_deployment("probe/ping"), "deployments", 120)
            print(f"[{dialect}, {executor}] one step at a time", flush=True)
            empty_runs(prefect_api, processes, 2)  # warm-up: the first runs load code
            result = {"empty_run": empty_runs(prefect_api, processes, steps),
                      "case_step": case_steps(http, db, processes, steps)}
            print(f"[{dialect}, {executor}] {IN_FLIGHT} in flight for {seconds} s", flush=True)
            result["throughput_1_worker"] = sustained(http, db, processes, seconds)
            if scale_out:
                with second_worker(processes) as worker:
                    processes.workers.append(worker)
                    print(f"[{dialect}, {executor}] two workers", flush=True)
                    result["throughput_2_workers"] = sustained(http, db, processes,
                                                               seconds // 2)
        db.dispose()
    for name in ("wall_s", "cpu_s"):
        result[f"step_vs_empty_{name}"] = round(
            result["case_step"][name] / result["empty_run"][name], 2)
    return result | {"measured_at": datetime.now(UTC).isoformat(timespec="seconds")}


# -- one step at a time ------------------------------------------------------------------------

def empty_runs(prefect_api: str, processes: "Processes", runs: int) -> dict:
    walls = []
    with processes.cpu() as cpu, Prefect(prefect_api) as prefect:
        for n in range(runs):
            started = time.perf_counter()
            run = prefect.start("probe/ping", {}, f"bench-probe-{time.time_ns()}-{n}")
            wait_for(lambda run=run: prefect.state(run) in ENDED, "probe")
            walls.append(time.perf_counter() - started)
    return {"wall_s": round(statistics.median(walls), 3), "cpu_s": round(cpu.total / runs, 3),
            "cpu_s_by_process": {k: round(v / runs, 3) for k, v in cpu.by_process.items()}}


def case_steps(http: httpx.Client, db: Database, processes: "Processes", cases: int) -> dict:
    clerk, officer = login(http, CLERK), login(http, OFFICER)
    body = application(http)
    walls = []
    with processes.cpu() as cpu:
        for _ in range(cases):
            started = time.perf_counter()
            case = http.post("/api/v1/applications", headers=clerk, json=body).json()
            item = wait_for(lambda case=case: review_of(db, case["id"]), "a review")
            walls.append(time.perf_counter() - started)
            started = time.perf_counter()
            http.post(f"/api/v1/work-items/{item}/decision", headers=officer,
                      json={"outcome": "approve"}).raise_for_status()
            wait_for(lambda case=case: status_of(db, case["id"]) == "approved", "the end")
            walls.append(time.perf_counter() - started)
    return {"wall_s": round(statistics.median(walls), 3),
            "cpu_s": round(cpu.total / (2 * cases), 3)}


# -- sustained ---------------------------------------------------------------------------------

def sustained(http: httpx.Client, db: Database, processes: "Processes", seconds: int,
              in_flight: int = IN_FLIGHT) -> dict:
    """Keep `in_flight` cases going for `seconds`; a step is a review opened or a case ended.
    `processes` is anything with `cpu()` and `peak_memory()` meters (bench/capacity.py)."""
    stop = threading.Event()
    driver = threading.Thread(target=drive, args=(http, db, stop, in_flight), daemon=True)
    driver.start()
    wait_for(lambda: in_progress(db) >= in_flight * 0.9, "cases in flight", 300)
    time.sleep(5)  # past the first wave of starts
    before, began = steps_done(db), time.perf_counter()
    with processes.cpu() as cpu, processes.peak_memory() as memory:
        time.sleep(seconds)
    elapsed, steps = time.perf_counter() - began, steps_done(db) - before
    stop.set()
    driver.join(timeout=60)
    return {"steps_per_s": round(steps / elapsed, 2), "steps": steps,
            "worker_peak_mb": round(memory.peak / 2**20),
            "cpu_share": {k: round(v / elapsed, 2) for k, v in cpu.by_process.items()}}


def drive(http: httpx.Client, db: Database, stop: threading.Event,
          in_flight: int = IN_FLIGHT) -> None:
    """A counter that submits whenever fewer than `in_flight` are open, and an officer who
    decides every review in the queue. Cases left in flight at the end stay: the next
    window starts with them, and the stack is thrown away after the lane."""
    clerk, officer = login(http, CLERK), login(http, OFFICER)
    body = application(http)
    while not stop.is_set():
        for _ in range(in_flight - in_progress(db)):
            http.post("/api/v1/applications", headers=clerk, json=body)
        for item in open_reviews(db):
            http.post(f"/api/v1/work-items/{item}/decision", headers=officer,
                      json={"outcome": "approve"})
        time.sleep(0.2)


# -- the stack's processes ---------------------------------------------------------------------

class Processes:
    def __init__(self, api: psutil.Process, worker: psutil.Process, server: psutil.Process):
        self.api, self.workers, self.server = api, [worker], server

    @classmethod
    def of_stack(cls) -> "Processes":
        """The processes of the one `govflow up` this benchmark started."""
        up = next(p for p in psutil.Process().children() if p.cmdline()[-1:] == ["up"])
        children = up.children()
        return cls(api=_matching(children, "api.app"), worker=_matching(children, "flows.worker"),
                   server=_matching(children, "prefect"))

    def named(self) -> dict[str, psutil.Process]:
        named = {"api": self.api, "prefect_server": self.server}
        named |= {f"worker_{i + 1}": w for i, w in enumerate(self.workers)}
        named |= {f"postgres_{p.pid}": p for p in psutil.process_iter(["name"])
                  if p.info["name"] == "postgres"}
        return named

    @contextmanager
    def cpu(self):
        meter = _CpuMeter(self.named())
        yield meter
        meter.stop()

    @contextmanager
    def peak_memory(self):
        meter = _MemoryMeter(self.workers)
        yield meter
        meter.stop()


class _CpuMeter:
    """CPU seconds of the worker(s) and the Prefect server (`total`, what a step costs), and
    of every process of the stack (`by_process`, what saturates)."""

    def __init__(self, processes: dict[str, psutil.Process]):
        self.processes = processes
        self.start = {name: _cpu(p) for name, p in processes.items()}

    def stop(self) -> None:
        used = {name: _cpu(p) - self.start[name] for name, p in self.processes.items()}
        postgres = sum(v for k, v in used.items() if k.startswith("postgres_"))
        self.by_process = {k: v for k, v in used.items() if not k.startswith("postgres_")}
        self.by_process["postgresql"] = postgres
        self.total = sum(v for k, v in used.items()
                         if k.startswith("worker") or k == "prefect_server")


class _MemoryMeter:
    """Peak resident memory of the worker(s) and their subprocesses, sampled every 0.2 s."""

    def __init__(self, workers: list[psutil.Process]):
        self.workers, self.peak, self._stop = workers, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            total = 0
            for worker in self.workers:
                for p in [worker, *worker.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            self.peak = max(self.peak, total)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _cpu(process: psutil.Process) -> float:
    try:
        t = process.cpu_times()
    except psutil.Error:
        return 0.0
    return t.user + t.system + t.children_user + t.children_system


def _matching(processes: list[psutil.Process], needle: str) -> psutil.Process:
    return next(p for p in processes if needle in " ".join(p.cmdline()))


@contextmanager
def second_worker(processes: Processes):
    env = processes.workers[0].environ()
    workdir = Path(processes.workers[0].cwd())
    with open(workdir / "var" / "logs" / "worker-2.log", "wb") as log:
        worker = subprocess.Popen([sys.executable, "-m", "flows.worker"], env=env, cwd=workdir,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(5)  # imports and registers its deployments
        yield psutil.Process(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=60)


# -- databases and reads -----------------------------------------------------------------------

@contextmanager
def databases(dialect: str):
    if dialect == "sqlite":
        yield {}
        return
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    names = ("govflow_orchestration", "govflow_orchestration_prefect")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {"GOVFLOW_DATABASE_URL": f"{PG}/govflow_orchestration",
               "GOVFLOW_PREFECT_DATABASE_URL":
                   make_url(f"{PG}/govflow_orchestration_prefect").set(
                       drivername="postgresql+asyncpg").render_as_string()}
    finally:
        admin.dispose()


def sqlite_url_of(processes: Processes) -> str:
    return f"sqlite:///{processes.api.cwd()}/var/govflow.db"


def application(http: httpx.Client) -> dict:
    service = next(s for s in http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"])
    return {"service": service["code"], "station": STATION,
            "materials": [m["code"] for m in service["guide"]["materials"]],
            "applicant": {"kind": "person", "name": "测速", "id_number": "11010519491231002X",
                          "phone": "13812345678"}}


def review_of(db: Database, case_id: int) -> int | None:
    with db.reading() as uow:
        return uow.session.scalar(select(WorkItem.id).where(
            WorkItem.case_id == case_id, WorkItem.status == "open"))


def status_of(db: Database, case_id: int) -> str:
    with db.reading() as uow:
        return uow.session.get(Case, case_id).status


def in_progress(db: Database) -> int:
    with db.reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(Case).where(
            Case.status == "in_progress"))


def open_reviews(db: Database) -> list[int]:
    with db.reading() as uow:
        return list(uow.session.scalars(select(WorkItem.id).where(
            WorkItem.status == "open", WorkItem.step == "department-review")))


def steps_done(db: Database) -> int:
    """Reviews opened (a start reached its wait) plus cases ended (a resume reached the end)."""
    with db.reading() as uow:
        opened = uow.session.scalar(select(func.count()).select_from(WorkItem))
        ended = uow.session.scalar(select(func.count()).select_from(Case).where(
            Case.status == "approved"))
    return opened + ended


# -- report ------------------------------------------------------------------------------------

def print_table(results: dict) -> None:
    rows = [
        ("empty run wall s", lambda r: r["in_process"]["empty_run"]["wall_s"]),
        ("case step wall s", lambda r: r["in_process"]["case_step"]["wall_s"]),
        ("  ratio (goal ≤ 1.2)", lambda r: r["in_process"]["step_vs_empty_wall_s"]),
        ("empty run CPU s", lambda r: r["in_process"]["empty_run"]["cpu_s"]),
        ("case step CPU s", lambda r: r["in_process"]["case_step"]["cpu_s"]),
        ("  ratio (goal ≤ 1.2)", lambda r: r["in_process"]["step_vs_empty_cpu_s"]),
        ("served: case step wall s", lambda r: r["served"]["case_step"]["wall_s"]),
        ("served: case step CPU s", lambda r: r["served"]["case_step"]["cpu_s"]),
        ("steps/s, 1 worker (≥ 5)", lambda r: r["in_process"]["throughput_1_worker"]
         ["steps_per_s"]),
        ("  served baseline", lambda r: r["served"]["throughput_1_worker"]["steps_per_s"]),
        ("steps/s, 2 workers", lambda r: r["in_process"]["throughput_2_workers"]
         ["steps_per_s"]),
        ("worker peak MB (≤ 300)", lambda r: r["in_process"]["throughput_1_worker"]
         ["worker_peak_mb"]),
        ("  served baseline", lambda r: r["served"]["throughput_1_worker"]["worker_peak_mb"]),
    ]
    dialects = list(results)
    print(f"\n{'':26}" + "".join(f"{d:>14}" for d in dialects))
    for label, value in rows:
        print(f"{label:26}" + "".join(f"{_or_dash(value, results[d]):>14}" for d in dialects))
    for dialect, lanes in results.items():
        for count in ("1_worker", "2_workers"):
            share = lanes["in_process"][f"throughput_{count}"]["cpu_share"]
            print(f"CPU cores used, {dialect}, {count.replace('_', ' ')}: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(share.items())))


def _or_dash(value, result: dict) -> str:
    try:
        return str(value(result))
    except KeyError:  # a lane not run (--no-served)
        return "-"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
