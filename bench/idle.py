"""What the Prefect server costs while nothing happens but many cases wait for people.

Every open case in govflow is a suspended (Paused) flow run waiting for a decision, with no
timeout: a deadline is the sweep's business (docs/human-tasks.md). Prefect's
`pause_expirations` service nonetheless pages through every paused run every few seconds. This
measures the server's CPU (its whole process tree), on PostgreSQL, for `--seconds` at a time:

1. the server as `govflow up` starts it, with no runs (the baseline);
2. the same server once `--runs` paused runs wait;
3. a server started the same way on the same database, with `pause_expirations` off (what
   `govflow up` now sets);
4. the same, while a worker asks it for due runs as govflow's executor does, with its own
   polling code at its default period (2 s, GOVFLOW_WORKER_POLL_SECONDS;
   flows/engine/executor.py): the idle cost of a running stack.

    python -m bench.idle [--runs 10000] [--seconds 60]      (make bench)
"""

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import httpx
import psutil
from prefect.client.orchestration import PrefectClient

from api.supervisor import Stack
from bench.stack import free_port, wait_for
from services.platform.settings import Settings
from tests.conftest import create_postgres_database

RESULTS = Path(__file__).parent / "results" / "idle.json"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
EXPIRATIONS = "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED"


def main() -> dict:
    args = parse_args()
    database = create_postgres_database(PG, "govflow_bench_idle").replace(
        "postgresql+psycopg", "postgresql+asyncpg")
    os.chdir(tempfile.mkdtemp(prefix="govflow-idle-"))  # the stack's var/ goes here
    results = {"paused_runs": args.runs, "seconds": args.seconds}
    with prefect_server(database, {EXPIRATIONS: "true"}) as (api, tree):
        results["no_runs"] = cpu_share(tree, args.seconds)
        seed_paused_runs(api, args.runs)
        time.sleep(10)  # let what the seeding set going settle
        results["paused_expirations_on"] = cpu_share(tree, args.seconds)
    with prefect_server(database, {EXPIRATIONS: "false"}) as (api, tree):
        time.sleep(10)
        results["paused_expirations_off"] = cpu_share(tree, args.seconds)
        with polling(api):
            results["paused_expirations_off_worker_polling"] = cpu_share(tree, args.seconds)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10_000, help="paused runs to seed")
    parser.add_argument("--seconds", type=int, default=60, help="each measurement's window")
    return parser.parse_args()


@contextmanager
def prefect_server(database: str, services: dict[str, str]):
    """The Prefect server with the environment `govflow up` gives it, plus `services`."""
    port = free_port()
    settings = Settings(prefect_port=port, prefect_database_url=database,
                        prefect_api_url=f"http://127.0.0.1:{port}/api")
    stack = Stack(settings)
    os.environ.update(services)
    try:
        stack.start_prefect_server()
        stack.wait_until(f"{settings.prefect_api_url}/health", "the Prefect server")
        yield settings.prefect_api_url, psutil.Process(stack.children[0].process.pid)
    finally:
        stack.stop()
        for name in services:
            os.environ.pop(name, None)


@contextmanager
def polling(api: str):
    """The executor's poll for due runs of the deployment the paused runs belong to."""
    from flows.engine.executor import Executor

    deployment = httpx.post(f"{api}/deployments/filter", json={}).json()[0]["id"]
    executor, stop, polls = Executor([]), threading.Event(), []
    executor._flows = {UUID(deployment): None}

    async def poll():
        async with PrefectClient(api) as client:
            while not stop.is_set():
                polls.append(await executor._due(client, executor.limit))
                await asyncio.sleep(executor.poll_seconds)

    thread = threading.Thread(target=asyncio.run, args=(poll(),), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        assert len(polls) > 10 and not any(polls), "the poll found runs due or never ran"


def cpu_share(tree: psutil.Process, seconds: float) -> float:
    """The server's CPU over `seconds`, as a share of one core."""
    before, start = cpu_seconds(tree), time.monotonic()
    time.sleep(seconds)
    return round((cpu_seconds(tree) - before) / (time.monotonic() - start), 4)


def cpu_seconds(tree: psutil.Process) -> float:
    total = 0.0
    for process in [tree, *tree.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def seed_paused_runs(api: str, count: int) -> None:
    """Runs suspended as govflow's are: waiting for input, with no timeout."""
    with httpx.Client(base_url=api, timeout=60) as http:
        flow = http.post("/flows/", json={"name": "idle-bench"}).json()
        deployment = http.post("/deployments/", json={"name": "waiting",
                                                      "flow_id": flow["id"]}).json()
        body = {"flow_id": flow["id"], "deployment_id": deployment["id"],
                "state": {"type": "PAUSED", "name": "Suspended",
                          "state_details": {"pause_reschedule": True}}}

        def create(_):
            wait_for(lambda: http.post("/flow_runs/", json=body).status_code == 201,
                     "a paused run", timeout=60)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(count)))
        paused = http.post("/flow_runs/count", json={
            "flow_runs": {"state": {"type": {"any_": ["PAUSED"]}}}}).json()
        assert paused == count, f"{paused} paused runs, wanted {count}"


if __name__ == "__main__":
    main()
