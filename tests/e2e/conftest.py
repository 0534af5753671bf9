"""The embedded stack (`govflow up`) on a fresh directory, shared by the e2e tests of a module."""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

PASSWORD = "e2e-demo-password"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
IN_FLIGHT = ("RUNNING", "PENDING")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def get_ok(url: str):
    try:
        response = httpx.get(url, timeout=3)
        return response if response.status_code == 200 else None
    except httpx.HTTPError:
        return None


def refuses_connections(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session")
def prefect_template(tmp_path_factory) -> str | None:
    """On PostgreSQL, Prefect's database migrated once for the session; each module's stack
    runs on a copy of its own (as each embedded stack has its own SQLite file). A database
    shared by the modules' stacks would hand one stack's unfinished runs to the next stack's
    worker, whose cases of the same numbers are other cases."""
    base = os.environ.get("GOVFLOW_TEST_PREFECT_DATABASE_URL")
    if not base:
        return None
    from tests.conftest import create_postgres_database

    sync = make_url(base).set(drivername="postgresql+psycopg").render_as_string(False)
    name = f"{make_url(base).database}_template"  # named after it: worktrees side by side
    template = make_url(create_postgres_database(sync, name)).set(
        drivername=make_url(base).drivername).render_as_string(hide_password=False)
    subprocess.run([str(Path(sys.executable).parent / "prefect"), "server", "database",
                    "upgrade", "-y"], check=True, capture_output=True, timeout=600,
                   env=os.environ | {"PREFECT_API_DATABASE_CONNECTION_URL": template,
                                     "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect"))})
    return template


def prefect_database_for(template: str, module: str) -> str:
    from tests.conftest import copy_postgres_database

    sync = make_url(template).set(drivername="postgresql+psycopg").render_as_string(False)
    name = make_url(template).database.removesuffix("_template")
    copy = copy_postgres_database(sync, f"{name}_{module.rsplit('.', 1)[-1]}")
    return make_url(copy).set(drivername=make_url(template).drivername).render_as_string(False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, database_url, prefect_template, request):
    workdir = tmp_path_factory.mktemp("stack")
    api_port, prefect_port = free_port(), free_port()
    prefect_api = f"http://127.0.0.1:{prefect_port}/api"
    env = os.environ | {
        "GOVFLOW_PORT": str(api_port), "GOVFLOW_PREFECT_PORT": str(prefect_port),
        "GOVFLOW_PREFECT_API_URL": prefect_api, "GOVFLOW_DEMO_PASSWORD": PASSWORD,
        "GOVFLOW_DATABASE_URL": _own_database(database_url, workdir, request.module.__name__),
        # The tests start sweeps and reconciler runs straight in Prefect, as an operator would;
        # the 2 s default poll (a worker is woken at once only for what its relay delivered)
        # would add a second to each.
        "GOVFLOW_WORKER_POLL_SECONDS": "0.5",
        **getattr(request.module, "STACK_ENV", {}),
    }
    if prefect_template:
        env["GOVFLOW_PREFECT_DATABASE_URL"] = prefect_database_for(prefect_template,
                                                                   request.module.__name__)
    log = open(workdir / "up.log", "wb")  # noqa: SIM115
    up = subprocess.Popen([str(Path(sys.executable).parent / "govflow"), "up"], cwd=workdir,
                          env=env, stdout=log, stderr=subprocess.STDOUT,
                          preexec_fn=stop_when_the_tests_die)
    api = f"http://127.0.0.1:{api_port}"
    try:
        wait_for(lambda: up.poll() is not None or get_ok(f"{api}/readyz"), "readiness")
        assert up.poll() is None, (workdir / "up.log").read_text()
        yield {"api": api, "prefect": prefect_api, "process": up, "workdir": workdir,
               "ports": (api_port, prefect_port), "env": env}
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.wait(timeout=60)


def stop_when_the_tests_die() -> None:
    """In the stack's process before it starts: the kernel sends it SIGTERM (it then stops its
    children) if the test process dies without stopping it, killed or cut off, so no Prefect
    server is left running for nobody."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _own_database(database_url: str, workdir: Path, module: str) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'var' / 'govflow.db'}"
    from sqlalchemy.engine import make_url

    from tests.conftest import create_postgres_database

    # named after the test database too: two worktrees running one module must not share it
    base = make_url(database_url).database
    return create_postgres_database(database_url, f"{base}_e2e_{module.rsplit('.', 1)[-1]}")




@pytest.fixture(scope="module")
def http(stack):
    with httpx.Client(base_url=stack["api"], timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def as_user(http):
    """`as_user("clerk-st-05")` → headers with that demo account's bearer token."""
    def headers(username: str) -> dict[str, str]:
        token = http.post("/api/v1/auth/token",
                          data={"username": username, "password": PASSWORD}).json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    return headers


def govflow(stack, *args) -> subprocess.CompletedProcess:
    """The `govflow` command as an operator runs it against the stack."""
    return subprocess.run([str(Path(sys.executable).parent / "govflow"), *args],
                          cwd=stack["workdir"], env=stack["env"] | {"COLUMNS": "200"},
                          capture_output=True, text=True, timeout=120)


def child_pid(stack, pattern: str) -> int | None:
    """The process of this stack's `govflow up` whose command line matches `pattern`."""
    found = subprocess.run(["pgrep", "-f", "-P", str(stack["process"].pid), pattern],
                           capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def kill_and_wait_for_restart(stack, pattern: str, sig=signal.SIGKILL) -> int:
    """Kill a process of the stack; the supervisor starts it again. Returns the new pid."""
    old = child_pid(stack, pattern)
    assert old, f"no process matching {pattern}"
    os.kill(old, sig)
    return wait_for(lambda: (pid := child_pid(stack, pattern)) != old and pid,
                    f"{pattern} to be started again", timeout=60)


def kill_the_worker_mid_run(stack, file_one, count: int) -> tuple[list[int], set[int]]:
    """File `count` cases (`file_one(n)` → case id) and, while the worker executes their
    runs, freeze it, note those runs and kill it: they stay Running (or Pending) for good.
    Returns the cases filed and those whose runs were lost.

    It watches while the cases are being filed, not afterwards: a run starts as soon as its
    case is filed and pauses a few tenths of a second later, so by the time a whole batch is
    filed every run may already be waiting."""
    filed: list[int] = []

    def file_all() -> None:
        for n in range(count):
            filed.append(file_one(n))

    with ThreadPoolExecutor(1) as background:
        filing = background.submit(file_all)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if runs_of(stack, list(filed), IN_FLIGHT) and (
                    lost := _runs_in_flight_once_frozen(stack, list(filed))):
                filing.result()
                kill_and_wait_for_restart(stack, "flows.worker")
                return filed, lost
            time.sleep(0.05)
        filing.result()
    raise AssertionError("never caught the worker executing a run")


def _runs_in_flight_once_frozen(stack, case_ids: list[int]) -> set[int]:
    """Freeze the worker: the cases whose runs are still in flight; none (and the worker
    thawed) if they finished in between."""
    worker = child_pid(stack, "flows.worker")
    os.kill(worker, signal.SIGSTOP)
    lost = {r["parameters"]["case_id"] for r in runs_of(stack, case_ids, IN_FLIGHT)}
    if not lost:
        os.kill(worker, signal.SIGCONT)
    return lost


def stack_db(stack):
    """The stack's business database, for facts the API does not show (outbox, counts)."""
    from services.platform.db.uow import Database

    return Database(stack["env"]["GOVFLOW_DATABASE_URL"])


def next_open_item(http, headers, group: str, case_id: int | None = None) -> dict:
    def found():
        items = http.get("/api/v1/work-items", headers=headers,
                         params={"candidate_group": group, "status": "open"}).json()
        mine = [i for i in items if case_id is None or i["case_id"] == case_id]
        return mine[0] if mine else None

    return wait_for(found, f"a work item for {group}", timeout=90)


def case_when_finished(http, headers, case_id: int) -> dict:
    def finished():
        case = http.get(f"/api/v1/cases/{case_id}", headers=headers).json()
        return case if case["status"] != "in_progress" else None

    return wait_for(finished, f"case {case_id} to finish", timeout=90)


def prefect_call(method: str, url: str, **kwargs) -> httpx.Response:
    """A call to Prefect's API that, like Prefect's own client, retries a busy server (503)."""
    for attempt in range(6):
        response = httpx.request(method, url, timeout=30, **kwargs)
        if response.status_code != 503:
            return response
        time.sleep(0.3 * 2**attempt)
    return response


def runs_of(stack, case_ids: list[int], states: tuple[str, ...]) -> list[dict]:
    """The Prefect runs of these cases that are in one of these states."""
    found = prefect_call("POST", f"{stack['prefect']}/flow_runs/filter", json={
        "flow_runs": {"state": {"type": {"any_": list(states)}}},
        "sort": "EXPECTED_START_TIME_DESC", "limit": 200}).json()  # the newest runs
    return [r for r in found if r["parameters"].get("case_id") in case_ids]


def run_deployment(prefect: str, name: str, parameters: dict | None = None) -> dict:
    """Start a run of `flow/deployment` and wait for its final state."""
    deployment = wait_for(lambda: get_ok(f"{prefect}/deployments/name/{name}"),
                          f"{name} to be registered", timeout=60).json()
    created = prefect_call("POST", f"{prefect}/deployments/{deployment['id']}/create_flow_run",
                           json={"parameters": parameters or {}})
    assert created.status_code == 201, created.text

    def finished():
        state = prefect_call("GET", f"{prefect}/flow_runs/{created.json()['id']}"
                             ).json()["state"]
        return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED") else None

    return wait_for(finished, f"{name} to finish", timeout=120)
