"""The embedded stack (`govflow up`) on a fresh directory, shared by the e2e tests of a module."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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
def stack(tmp_path_factory, database_url, request):
    workdir = tmp_path_factory.mktemp("stack")
    api_port, prefect_port = free_port(), free_port()
    prefect_api = f"http://127.0.0.1:{prefect_port}/api"
    env = os.environ | {
        "GOVFLOW_PORT": str(api_port), "GOVFLOW_PREFECT_PORT": str(prefect_port),
        "GOVFLOW_PREFECT_API_URL": prefect_api, "GOVFLOW_DEMO_PASSWORD": PASSWORD,
        "GOVFLOW_DATABASE_URL": _own_database(database_url, workdir, request.module.__name__),
        **getattr(request.module, "STACK_ENV", {}),
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


def _own_database(database_url: str, workdir: Path, module: str) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'var' / 'govflow.db'}"
    from tests.conftest import create_postgres_database

    return create_postgres_database(database_url, "govflow_e2e_" + module.rsplit(".", 1)[-1])


