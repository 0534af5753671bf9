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


@contextmanager
def split_stack(env: dict[str, str], prefect_replicas: int = 2, workers: int = 2,
                services: int = 1):
    """The stack as roles (`govflow up --role …`), each as on a machine of its own: Prefect API
    replicas, Prefect services processes, workers and one govflow API, sharing PostgreSQL
    and Redis as `env` says (GOVFLOW_DATABASE_URL, GOVFLOW_PREFECT_DATABASE_URL,
    GOVFLOW_REDIS_URL). No load balancer: worker n talks to Prefect API replica n (mod the
    replicas), so the replicas share the load the way a balancer would spread it.
    Yields (api_url, prefect_api_urls, {role: [its `govflow up` processes]})."""
    workdir = Path(tempfile.mkdtemp(prefix="govflow-bench-roles-"))  # shared var/: results
    api_port = free_port()
    prefect_ports = [free_port() for _ in range(prefect_replicas)]
    prefect_urls = [f"http://127.0.0.1:{port}/api" for port in prefect_ports]
    base = os.environ | {"GOVFLOW_PORT": str(api_port), "GOVFLOW_DEMO_PASSWORD": PASSWORD} | env

    def on_replica(n: int) -> dict[str, str]:
        n %= prefect_replicas
        return base | {"GOVFLOW_PREFECT_PORT": str(prefect_ports[n]),
                       "GOVFLOW_PREFECT_API_URL": prefect_urls[n]}

    _prepare_once(workdir, base | on_replica(0))
    started: dict[str, list[subprocess.Popen]] = {}

    def start(role: str, n: int) -> None:
        log = open(workdir / f"up-{role}-{n}.log", "wb")  # noqa: SIM115 - lives with the process
        started.setdefault(role, []).append(subprocess.Popen(
            [str(Path(sys.executable).parent / "govflow"), "up", "--role", role], cwd=workdir,
            env=on_replica(n), stdout=log, stderr=subprocess.STDOUT))

    try:
        # One replica after another: two starting at once on a fresh database race to
        # register Prefect's block types (a unique violation on block_type's slug) and the
        # loser's role exits.
        for n, url in enumerate(prefect_urls):
            start("prefect-api", n)
            wait_for(lambda url=url: _exited(started) or _answers(f"{url}/health"),
                     "a Prefect API replica", interval=0.5)
        for n in range(services):
            start("prefect-services", n)
        for n in range(workers):
            start("worker", n)
        start("api", 0)
        api = f"http://127.0.0.1:{api_port}"
        wait_for(lambda: _exited(started) or _answers(f"{api}/readyz"), "the split stack",
                 interval=0.5)
        if _exited(started):
            raise RuntimeError(f"{_exited(started)} exited; see the logs in {workdir}")
        yield api, prefect_urls, started
    finally:
        for processes in reversed(started.values()):
            for process in processes:
                process.send_signal(signal.SIGINT)
        for processes in started.values():
            for process in processes:
                process.wait(timeout=60)


def _prepare_once(workdir: Path, env: dict[str, str]) -> None:
    """What an operator does once before starting the roles: both databases migrated, the
    reference data and (embedded mode) the demo accounts loaded."""
    here = Path(__file__).parent.parent
    for argv in ([sys.executable, "-c", "from api.cli import prepare; "
                  "from services.platform.settings import Settings; prepare(Settings())"],
                 [str(Path(sys.executable).parent / "govflow"), "migrate", "--prefect"]):
        done = subprocess.run(argv, cwd=workdir, env=env | {"PYTHONPATH": str(here)},
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"preparing the roles failed:\n{done.stdout}{done.stderr}")


def _exited(started: dict[str, list[subprocess.Popen]]) -> str | None:
    return next((role for role, processes in started.items()
                 for p in processes if p.poll() is not None), None)


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
