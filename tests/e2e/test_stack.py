"""`govflow up` on a fresh directory: real Prefect server, worker and API over real HTTP."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "e2e-demo-password"


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


@pytest.fixture(scope="module")
def stack(tmp_path_factory, database_url):
    workdir = tmp_path_factory.mktemp("stack")
    api_port, prefect_port = free_port(), free_port()
    prefect_api = f"http://127.0.0.1:{prefect_port}/api"
    env = os.environ | {
        "GOVFLOW_PORT": str(api_port), "GOVFLOW_PREFECT_PORT": str(prefect_port),
        "GOVFLOW_PREFECT_API_URL": prefect_api, "GOVFLOW_DEMO_PASSWORD": PASSWORD,
        "GOVFLOW_DATABASE_URL": _own_database(database_url, workdir),
    }
    if os.environ.get("GOVFLOW_TEST_PREFECT_DATABASE_URL"):
        env["GOVFLOW_PREFECT_DATABASE_URL"] = os.environ["GOVFLOW_TEST_PREFECT_DATABASE_URL"]
    log = open(workdir / "up.log", "wb")  # noqa: SIM115
    up = subprocess.Popen([str(Path(sys.executable).parent / "govflow"), "up"], cwd=workdir,
                          env=env, stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{api_port}"
    try:
        wait_for(lambda: up.poll() is not None or get_ok(f"{api}/readyz"), "readiness")
        assert up.poll() is None, (workdir / "up.log").read_text()
        yield {"api": api, "prefect": prefect_api, "process": up, "workdir": workdir,
               "ports": (api_port, prefect_port)}
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.wait(timeout=60)


def _own_database(database_url: str, workdir: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'var' / 'govflow.db'}"
    from tests.conftest import create_postgres_database

    return create_postgres_database(database_url, "govflow_e2e")


def test_the_stack_answers_ready_with_the_catalogue_loaded(stack):
    ready = httpx.get(f"{stack['api']}/readyz").json()
    assert ready["ready"] is True
    services = httpx.get(f"{stack['api']}/api/v1/catalogue/services",
                         params={"delegated": "true", "limit": 200}).json()
    assert services["total"] == 91


def test_demo_accounts_log_in_with_the_configured_password(stack):
    token = httpx.post(f"{stack['api']}/api/v1/auth/token",
                       data={"username": "clerk-st-43", "password": PASSWORD})
    assert token.status_code == 200
    assert "114 demo accounts" in (stack["workdir"] / "up.log").read_text()


def test_the_worker_registers_and_runs_the_audit_check(stack):
    prefect = stack["prefect"]
    deployment = wait_for(
        lambda: get_ok(f"{prefect}/deployments/name/audit-chain-check/nightly"),
        "the deployment to be registered", timeout=60).json()
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 2 * * *"
    run = httpx.post(f"{prefect}/deployments/{deployment['id']}/create_flow_run",
                     json={}).json()

    def finished():
        state = httpx.get(f"{prefect}/flow_runs/{run['id']}").json()["state"]
        return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED") else None

    state = wait_for(finished, "the flow run to finish", timeout=120)
    assert state["type"] == "COMPLETED", state


def test_ctrl_c_stops_everything_it_started(stack):
    up = stack["process"]
    up.send_signal(signal.SIGINT)
    assert up.wait(timeout=60) == 0
    api_port, prefect_port = stack["ports"]
    assert wait_for(lambda: refuses_connections(api_port) and refuses_connections(prefect_port),
                    "the ports to close", timeout=30)
