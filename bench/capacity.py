"""What each component of the stack costs per case step, on one process and on many: the
figures the capacity model in docs/deploy.md is built from.

Two setups on PostgreSQL (business database and Prefect's), in the same run and under the
same load:

(a) single-process: the embedded `govflow up` (Prefect server with its services in one
    process, in-memory messaging, one worker, the API);
(b) multi-replica: the roles as on machines of their own (`govflow up --role …`): 2 Prefect
    API replicas, 1 Prefect services process, 2 workers (worker n talks to replica n: no load
    balancer), 1 govflow API, Prefect's messaging through a Redis server of this benchmark's
    own (so that its CPU is this stack's alone);
(c) the same with 2 Prefect services processes (Prefect's guide says they coordinate through
    Redis; its Helm chart still runs one): does their work split, and at what cost?

In each: the stack's idle CPU, the empty run (`probe/ping`, one at a time) as the baseline,
then `--in-flight` one-stop cases kept going for `--seconds` (bench/orchestration.py's driver:
submit, decide the department's review). Per component: CPU cores used, CPU seconds per case
step (cores / steps per second) and its inverse, steps per second per core. PostgreSQL is the
backends serving this setup's two databases (its shared writer and checkpointer processes are
left out: other work on this machine uses them too).

    python -m bench.capacity [--seconds 120] [--in-flight 100]      (make bench)
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, func, select, text

from bench.orchestration import (
    PG,
    Processes,
    _MemoryMeter,
    empty_runs,
    sustained,
)
from bench.stack import embedded_stack, free_port, split_stack, wait_for
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.orchestration import Prefect

RESULTS = Path(__file__).parent / "results" / "capacity.json"
REDIS_DB = 12  # this helper's Redis database number, on the benchmark's own server
ENV = {"GOVFLOW_TODAY": "2026-06-01", "GOVFLOW_WORKER_EXECUTOR": "in-process",
       "PREFECT_RUNNER_POLL_FREQUENCY": "1", "GOVFLOW_WORKER_RUNS": "16"}
PREFECT_PARTS = ("prefect_server", "prefect_api", "prefect_services")


def main() -> dict:
    args = parse_args()
    if args.report:
        results = json.loads(RESULTS.read_text())
        for setup in SETUPS:
            if setup in results:
                per_step(results[setup])
        results["redis_mode_ratio"] = ratios(results["single_process"], results["multi_replica"])
        print_table(results)
        return results
    results = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
               "cpu_count": os.cpu_count(), "in_flight": args.in_flight,
               "seconds": args.seconds}
    results["single_process"] = single_process(args)
    results["multi_replica"] = multi_replica(args)
    if args.services_replicas > 1:
        results["two_services"] = multi_replica(args, services=args.services_replicas)
    results["redis_mode_ratio"] = ratios(results["single_process"], results["multi_replica"])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return results


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=120, help="load window per setup")
    parser.add_argument("--in-flight", type=int, default=100, help="cases kept open")
    parser.add_argument("--probes", type=int, default=20, help="empty runs, one at a time")
    parser.add_argument("--idle", type=int, default=20, help="seconds of idle measure")
    parser.add_argument("--report", action="store_true", help="print the last results again")
    parser.add_argument("--services-replicas", type=int, default=2,
                        help="Prefect services processes of setup (c); 1 skips it")
    return parser.parse_args()


# -- the two setups ----------------------------------------------------------------------------

def single_process(args) -> dict:
    print("[single-process] the embedded stack on PostgreSQL", flush=True)
    with databases("single") as urls, embedded_stack(ENV | urls) as (api, prefect_api):
        stack = Processes.of_stack()
        components = Components({"prefect_server": [stack.server], "workers": stack.workers,
                                 "api": [stack.api]}, set(urls.values()))
        return measure("single-process", api, prefect_api, urls, components, args)


def multi_replica(args, services: int = 1) -> dict:
    print(f"[multi-replica] 2 Prefect API, {services} services, 2 workers, 1 API, Redis",
          flush=True)
    with databases("split") as urls, redis_server() as (redis_url, redis):
        env = ENV | urls | {"GOVFLOW_REDIS_URL": redis_url}
        with split_stack(env, prefect_replicas=2, workers=2, services=services) as (
                api, prefect_apis, roles):
            components = Components({
                "prefect_api": _children(roles["prefect-api"]),
                "prefect_services": _children(roles["prefect-services"]),
                "workers": _children(roles["worker"]), "api": _children(roles["api"])},
                set(urls.values()), redis)
            services_before = [_cpu_s(p) for p in components.roles["prefect_services"]]
            result = measure("multi-replica", api, prefect_apis[0], urls, components, args)
            # Does a second services process take part of the work, or only add its loops?
            result["prefect_services_cpu_s_each"] = [
                round(_cpu_s(p) - before, 1) for p, before in
                zip(components.roles["prefect_services"], services_before, strict=True)]
        result["prefect_services_processes"] = services
        return result


def measure(setup: str, api: str, prefect_api: str, urls: dict, components: "Components",
            args) -> dict:
    db = Database(urls["GOVFLOW_DATABASE_URL"])
    result = {"load_average_before": _load()}
    try:
        with Prefect(prefect_api) as prefect:
            wait_for(lambda: prefect.has_deployment("probe/ping"), "deployments", 120)
        time.sleep(5)  # past the workers' start-up work
        print(f"[{setup}] idle for {args.idle} s", flush=True)
        with components.cpu() as cpu:
            time.sleep(args.idle)
        result["idle_cores"] = {k: round(v / args.idle, 3) for k, v in cpu.by_process.items()}
        print(f"[{setup}] {args.probes} empty runs, one at a time", flush=True)
        result["empty_run"] = empty_runs(prefect_api, components, args.probes)
        print(f"[{setup}] {args.in_flight} cases in flight for {args.seconds} s", flush=True)
        with httpx.Client(base_url=api, timeout=60) as http:
            load = sustained(http, db, components, args.seconds, in_flight=args.in_flight)
        result["outbox"] = outbox_sends(db)
    finally:
        db.dispose()
    result["load"] = load
    result["load_average_after"] = _load()
    return per_step(result)


def outbox_sends(db: Database) -> dict:
    """How many times each sent message was marked sent (`deliveries`: 1 each if the relays'
    leases hold) and how many each relay sent: with two workers, both relays take part."""
    message = models.OutboxMessage
    with db.reading() as uow:
        times = uow.session.execute(select(message.deliveries, func.count()).where(
            message.sent_at.is_not(None)).group_by(message.deliveries)).all()
        relays = uow.session.execute(select(message.sent_by, func.count()).where(
            message.sent_at.is_not(None)).group_by(message.sent_by)).all()
    return {"sent_times": {str(k): n for k, n in times},
            "by_relay": {str(k): n for k, n in relays}}


def per_step(result: dict) -> dict:
    """CPU seconds per step of each component (cores under load / steps per second), steps per
    second per core (its inverse: what one core of the component carries), and the CPU per
    step less what the component burns idle (polling, loops: a cost per process, not per
    step; on a loaded machine a noisy difference, shown for context)."""
    steps, cores, idle = (result["load"]["steps_per_s"], result["load"]["cpu_share"],
                          result["idle_cores"])
    result["cpu_s_per_step"] = {k: round(v / steps, 4) for k, v in cores.items()}
    result["marginal_cpu_s_per_step"] = {k: round(max(v - idle.get(k, 0), 0) / steps, 4)
                                         for k, v in cores.items()}
    result["steps_per_s_per_core"] = {k: round(1 / v, 1) if v else None
                                      for k, v in result["cpu_s_per_step"].items()}
    return result


def ratios(single: dict, multi: dict) -> dict:
    """Multi-replica against single-process, per step: the Prefect parts together, the
    workers, PostgreSQL, and everything (Redis included, which (a) does not have)."""
    def per_step(result: dict, parts, key: str) -> float:
        return sum(v for k, v in result[key].items() if k in parts)

    everything = set(single["cpu_s_per_step"]) | set(multi["cpu_s_per_step"])
    return {name: {label: round(per_step(multi, parts, key) / per_step(single, parts, key), 2)
                   for label, key in (("raw", "cpu_s_per_step"),
                                      ("less_idle", "marginal_cpu_s_per_step"))}
            for name, parts in (("prefect", PREFECT_PARTS), ("workers", ("workers",)),
                                ("postgresql", ("postgresql",)), ("all", everything))}


# -- the processes of a setup, by component ----------------------------------------------------

class Components:
    """The processes of one setup by component: the process trees of each role's processes,
    the PostgreSQL backends connected to the setup's databases, the setup's Redis server."""

    def __init__(self, roles: dict[str, list[psutil.Process]], database_urls: set[str],
                 redis: psutil.Process | None = None):
        self.roles, self.redis = roles, redis
        self.databases = {url.rsplit("/", 1)[1] for url in database_urls}
        self.workers = roles["workers"]

    def current(self) -> dict[str, list[psutil.Process]]:
        found = {name: [q for p in roots for q in _tree(p)] for name, roots in self.roles.items()}
        found["postgresql"] = [p for p in psutil.process_iter(["name", "cmdline"])
                               if p.info["name"] == "postgres" and self._ours(p.info["cmdline"])]
        if self.redis:
            found["redis"] = [self.redis]
        return found

    def _ours(self, cmdline: list[str] | None) -> bool:
        """A backend's title names its database: `postgres: 15/main: user db host(port) …`."""
        return bool(self.databases & set(" ".join(cmdline or []).split()))

    @contextmanager
    def cpu(self):
        meter = _CpuSampler(self)
        try:
            yield meter
        finally:
            meter.stop()

    @contextmanager
    def peak_memory(self):
        meter = _MemoryMeter(self.workers)
        try:
            yield meter
        finally:
            meter.stop()


class _CpuSampler:
    """CPU seconds of each component over a window, sampled every second so that processes
    started during the window (PostgreSQL backends, uvicorn workers) count too. `total` is
    what bench/orchestration.py calls a step's cost: the Prefect parts and the workers."""

    INTERVAL = 1.0

    def __init__(self, components: Components):
        self.components = components
        self.first: dict[tuple, float] = {}
        self.last: dict[tuple, float] = {}
        self.owner: dict[tuple, str] = {}
        self._sample(initial=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            self._sample()

    def _sample(self, initial: bool = False) -> None:
        for name, processes in self.components.current().items():
            self.owner.setdefault(("component", name), name)
            for process in processes:
                try:
                    times = process.cpu_times()
                    key = (process.pid, process.create_time())
                except psutil.Error:
                    continue  # gone since it was listed
                self.first.setdefault(key, times.user + times.system if initial else 0.0)
                self.last[key] = times.user + times.system
                self.owner[key] = name

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        used = defaultdict(float, {name: 0.0 for key, name in self.owner.items()
                                   if key[0] == "component"})
        for key, cpu in self.last.items():
            used[self.owner[key]] += cpu - self.first[key]
        self.by_process = dict(used)
        self.total = sum(v for k, v in used.items() if k in PREFECT_PARTS or k == "workers")


def _tree(process: psutil.Process) -> list[psutil.Process]:
    """A process and its descendants (uvicorn's worker processes, a served run)."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def _children(ups: list[subprocess.Popen]) -> list[psutil.Process]:
    """What `govflow up --role …` started (the supervisor itself left out, as in
    bench/orchestration.py: it only watches)."""
    return [child for up in ups for child in psutil.Process(up.pid).children()]


def _cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- PostgreSQL databases and a Redis server of the benchmark's own -----------------------------

@contextmanager
def databases(setup: str):
    """Fresh business and Prefect databases (`cap_bench_<setup>`, `cap_prefect_<setup>`),
    dropped afterwards."""
    names = (f"cap_bench_{setup}", f"cap_prefect_{setup}")
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {"GOVFLOW_DATABASE_URL": f"{PG}/{names[0]}",
               "GOVFLOW_PREFECT_DATABASE_URL":
                   f"{PG}/{names[1]}".replace("postgresql+psycopg", "postgresql+asyncpg")}
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis_server():
    """A Redis server for this run alone, without persistence, on a free port: its CPU is the
    split stack's and nobody else's."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="govflow-bench-redis-")
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", workdir],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _accepts(port), "the Redis server", 30, interval=0.1)
        yield f"redis://127.0.0.1:{port}/{REDIS_DB}", psutil.Process(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


# -- report ------------------------------------------------------------------------------------

SETUPS = {"single_process": "(a) single-process: embedded govflow up",
          "multi_replica": "(b) multi-replica: roles, Redis messaging",
          "two_services": "(c) as (b), Prefect services processes:"}
ROWS = ("prefect_server", "prefect_api", "prefect_services", "workers", "api", "postgresql",
        "redis")


def print_table(results: dict) -> None:
    print(f"\nmeasured {results['measured_at']}, {results['cpu_count']} cores, "
          f"{results['in_flight']} cases in flight for {results['seconds']} s")
    for setup, title in SETUPS.items():
        if setup not in results:
            continue
        r = results[setup]
        if setup == "two_services":
            title += (f" {r['prefect_services_processes']}, CPU s each over the setup's "
                      f"measures {r['prefect_services_cpu_s_each']}")
        print(f"\n{title}: {r['load']['steps_per_s']} steps/s, worker peak "
              f"{r['load']['worker_peak_mb']} MB, empty run {r['empty_run']['wall_s']} s wall; "
              f"load average {r['load_average_before'][0]} → {r['load_average_after'][0]}")
        print(f"{'component':17}{'cores':>7}{'CPU s/step':>12}{'steps/s/core':>14}"
              f"{'less idle':>11}{'idle cores':>12}{'empty run CPU s':>17}")
        for row in ROWS:
            if row in r["cpu_s_per_step"]:
                print(f"{row:17}{r['load']['cpu_share'][row]:>7}{r['cpu_s_per_step'][row]:>12}"
                      f"{r['steps_per_s_per_core'][row] or '-':>14}"
                      f"{r['marginal_cpu_s_per_step'][row]:>11}"
                      f"{r['idle_cores'].get(row, '-'):>12}"
                      f"{r['empty_run']['cpu_s_by_process'].get(row, '-'):>17}")
    for setup in SETUPS:
        if "outbox" in results.get(setup, {}):
            sends = results[setup]["outbox"]
            print(f"outbox, {setup}: messages by times sent {sends['sent_times']}, "
                  f"by relay {sends['by_relay']}")
    ratio = results["redis_mode_ratio"]
    print("\n(b) / (a), CPU per step (less idle): "
          + ", ".join(f"{k} {v['raw']}× ({v['less_idle']}×)" for k, v in ratio.items()))


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
