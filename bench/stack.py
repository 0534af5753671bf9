"""Start the embedded stack (`govflow up`) for a benchmark, on free ports in a scratch folder."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

PASSWORD = "bench-demo-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what: str, timeout: float = 180, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


@contextmanager
def embedded_stack(extra_env: dict[str, str] | None = None):
    """Yields (api_url, prefect_api_url); stops everything on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="govflow-bench-"))
    api_port, prefect_port = free_port(), free_port()
    env = os.environ | {
        "GOVFLOW_PORT": str(api_port), "GOVFLOW_PREFECT_PORT": str(prefect_port),
        "GOVFLOW_PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api",
        "GOVFLOW_DEMO_PASSWORD": PASSWORD,
        "GOVFLOW_DATABASE_URL": f"sqlite:///{workdir / 'var' / 'govflow.db'}",
    } | (extra_env or {})
    with open(workdir / "up.log", "wb") as log:
        up = subprocess.Popen([str(Path(sys.executable).parent / "govflow"), "up"],
                              cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        api = f"http://127.0.0.1:{api_port}"
        try:
            wait_for(lambda: up.poll() is not None or _answers(f"{api}/readyz"), "the stack",
                     interval=0.5)
            if up.poll() is not None:
                raise RuntimeError((workdir / "up.log").read_text())
            yield api, env["GOVFLOW_PREFECT_API_URL"]
        finally:
            up.send_signal(signal.SIGINT)
            up.wait(timeout=60)




def login(http: httpx.Client, username: str) -> dict[str, str]:
    token = http.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@contextmanager
def api_server(database_url: str, factory: str = "bench.bare:create_app",
               extra_env: dict[str, str] | None = None):
    """The API alone, as `govflow up` starts it (one uvicorn process, same flags) but from
    `factory`, on a database migrated and loaded here. No Prefect server or worker: nothing
    the API answers waits for them, and on these 2 cores they would only add noise.
    Yields the API's URL and process id (for a profiler)."""
    port = free_port()
    env = os.environ | {"GOVFLOW_DATABASE_URL": database_url, "GOVFLOW_PORT": str(port),
                        "GOVFLOW_DEMO_PASSWORD": PASSWORD} | (extra_env or {})
    here = Path(__file__).parent.parent
    with tempfile.TemporaryFile() as log:
        def fail(what: str):
            log.seek(0)
            return RuntimeError(f"{what}:\n{log.read().decode(errors='replace')}")

        prepared = subprocess.run([sys.executable, "-c", "from api.cli import prepare; "
                                   "from services.platform.settings import Settings; "
                                   "prepare(Settings())"],
                                  cwd=here, env=env, stdout=log, stderr=subprocess.STDOUT)
        if prepared.returncode != 0:
            raise fail("preparing the database failed")
        api = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log"],
            cwd=here, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: api.poll() is not None or _answers(f"{url}/healthz"), "the API",
                     interval=0.2)
            if api.poll() is not None:
                raise fail("the API exited")
            yield url, api.pid
        finally:
            api.send_signal(signal.SIGINT)
            api.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
