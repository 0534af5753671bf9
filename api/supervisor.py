"""`govflow up`: the whole embedded stack in one terminal, or one role of it on a machine of
its own (`--role`); Ctrl-C stops what it started."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import httpx

from services.platform.settings import VAR_DIR, Settings

BIN = Path(sys.executable).parent


# A child that dies is started again at once, then after 1, 2, 4, 8 s; past 5 restarts in 5
# minutes it is reported failing (log, /readyz) and started again when the oldest of them leaves
# the window: never given up on, never restarted in a tight loop.
RESTART_LIMIT, RESTART_WINDOW = 5, 300.0
# Prefect server services govflow has no use for, off unless the environment turns them on.
LEAN_SERVER = {
    # Every wait for people suspends without a timeout (deadlines are the sweep's business),
    # so no paused run ever expires; the service still paged through every open case every
    # few seconds (bench/idle.py).
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    # Task runs reach the server as events; its recorder wrote each in a transaction of its own.
    # In batches (flushed at least every 5 s) they cost about half (PREFECT-NOTES.md); a task
    # run shows in Prefect's UI up to 5 s later, and nothing in govflow reads them.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    # govflow defines no automations (a lost run is the reconciler's, docs/execution-model.md)
    # and nothing subscribes to the server's event stream: two consumers of every event less.
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
}
STATUS_FILE = "supervisor.json"
# What Prefect's server does as it starts and the roles leave to `govflow migrate --prefect`:
# two replicas starting together both inserted the same block types, and one of them died on
# the unique key.
PREPARED_ONCE = {"PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false",
                 "PREFECT_API_BLOCKS_REGISTER_ON_START": "false"}
REGISTER_BLOCKS = """
import asyncio
from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration

async def register():
    async with await provide_database_interface().session() as session:
        await run_block_auto_registration(session=session)
        await session.commit()

asyncio.run(register())
"""


def restart_delay(restarts: list[float], now: float) -> float:
    """Seconds to wait before starting a dead child again, given its earlier restart times."""
    recent = sorted(t for t in restarts if now - t < RESTART_WINDOW)
    if len(recent) >= RESTART_LIMIT:
        return recent[-RESTART_LIMIT] + RESTART_WINDOW - now
    return 0.0 if not recent else 2.0 ** (len(recent) - 1)


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    argv: list[str]
    env: dict[str, str]
    restarts: list[float] = field(default_factory=list)  # monotonic times of restarts
    restart_at: float | None = None  # when a dead child is due to start again

    def failing(self, now: float) -> bool:
        return sum(now - t < RESTART_WINDOW for t in self.restarts) >= RESTART_LIMIT


class Stack:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.children: list[Child] = []
        self.logs = VAR_DIR / "logs"
        self.status_file = (VAR_DIR / STATUS_FILE).resolve()

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.children.append(Child(name, self._spawn(name, argv, env), argv, env))
        self.write_status(time.monotonic())  # before /readyz is asked: a fresh stack is sound

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - lives with the child
        return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_prefect_server(self) -> None:
        """Prefect's API and its background services in one process (the embedded stack)."""
        self.start("prefect-server", self._prefect_server_argv(), self.prefect_env())

    def start_prefect_api(self) -> None:
        """Prefect's API alone, in `prefect_api_workers` processes; its database is migrated
        and its block types registered once beforehand (`govflow migrate --prefect`), not by
        every replica as it starts."""
        env = self.prefect_env() | PREPARED_ONCE
        self.start("prefect-api", self._prefect_server_argv() + [
            "--no-services", "--workers", str(self.settings.prefect_api_workers)], env)

    def start_prefect_services(self) -> None:
        """Prefect's background services alone (scheduler, triggers, recorders, …)."""
        env = self.prefect_env() | PREPARED_ONCE
        self.start("prefect-services", [str(BIN / "prefect"), "server", "services", "start"], env)

    def _prefect_server_argv(self) -> list[str]:
        return [str(BIN / "prefect"), "server", "start", "--host", self.settings.prefect_host,
                "--port", str(self.settings.prefect_port)]

    def prefect_env(self) -> dict[str, str]:
        env = LEAN_SERVER | self.env() | {"PREFECT_HOME": str((VAR_DIR / "prefect").resolve()),
                            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                            "PREFECT_UI_API_URL": self.settings.prefect_api_url,
                            # The scheduler would insert 100 future runs per deployment at
                            # once; on SQLite that stalls every other write for seconds.
                            "PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS": "5"}
        if self.settings.prefect_database_url:
            env["PREFECT_API_DATABASE_CONNECTION_URL"] = self.settings.prefect_database_url
        if self.settings.redis_url:
            env |= redis_env(self.settings.redis_url)
        env.pop("PREFECT_API_URL", None)  # the server must not try to talk to itself
        return env

    def start_worker(self) -> None:
        self.start("worker", [sys.executable, "-m", "flows.worker"], self.env())

    def start_api(self) -> None:
        self.start("api", [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
                           "--host", self.settings.host, "--port", str(self.settings.port),
                           "--no-access-log"], self.env())

    def env(self) -> dict[str, str]:
        return os.environ | {
            "PREFECT_API_URL": self.settings.prefect_api_url,
            # Task results survive the end of a suspended run's process (PREFECT-NOTES.md).
            "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "true",
            "PREFECT_LOCAL_STORAGE_PATH": str(self.settings.results_dir.resolve()),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # Prefect's server leaves CSRF protection off, yet each run's client asked it for
            # a token first: one refused call per step (bench/steps.py).
            "PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false",
            "GOVFLOW_DATABASE_URL": self.settings.database_url,
            "GOVFLOW_PREFECT_API_URL": self.settings.prefect_api_url,
            "GOVFLOW_SUPERVISOR_STATUS_FILE": str(self.status_file),
        }

    def wait_until(self, url: str, what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{what} did not become ready in {timeout:.0f} s (see {self.logs})")

    def check_alive(self) -> None:
        for child in self.children:
            if child.process.poll() is not None:
                raise ChildExited(f"{child.name} exited with {child.process.returncode}; "
                                  f"see {self.logs / (child.name + '.log')}")

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGTERM)
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()

    def supervise(self, report=print) -> None:
        """Block until Ctrl-C/SIGTERM. A child that dies is started again (nothing is lost:
        cases, decisions and the outbox are in the database, waiting runs in Prefect's), with
        back-off and a rate limit (`restart_delay`)."""
        self.write_status(time.monotonic())
        while True:
            self.tend(time.monotonic(), report)
            time.sleep(0.5)

    def tend(self, now: float, report=print) -> None:
        """One look at the children: schedule the restart of each that died, start those due."""
        changed = False
        for child in self.children:
            if child.process.poll() is None:
                continue
            if child.restart_at is None:
                child.restart_at = now + restart_delay(child.restarts, now)
                report(self._death_notice(child, now))
                changed = True
            if now >= child.restart_at:
                child.restarts.append(now)
                child.restart_at = None
                child.process = self._spawn(child.name, child.argv, child.env)
                changed = True
        if changed:
            self.write_status(now)

    def _death_notice(self, child: Child, now: float) -> str:
        wait = child.restart_at - now
        notice = f"{child.name} exited with {child.process.returncode}; "
        if child.failing(now):
            return notice + (f"FAILING: restarted {RESTART_LIMIT} times in "
                             f"{RESTART_WINDOW / 60:.0f} minutes; next start in {wait:.0f} s")
        return notice + f"starting it again in {wait:.0f} s"

    def write_status(self, now: float) -> None:
        """What /readyz reports of the processes: each child's restarts in the window and
        whether it is failing (written atomically; the API reads it)."""
        status = {c.name: {"restarts_in_window": sum(now - t < RESTART_WINDOW
                                                     for t in c.restarts),
                           "failing": c.failing(now),
                           "last_exit": c.process.returncode}
                  for c in self.children}
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.status_file.with_suffix(".tmp")
        scratch.write_text(json.dumps(status), encoding="utf-8")
        scratch.replace(self.status_file)


class StackRole(StrEnum):
    """What `govflow up` runs on this machine: everything (the embedded stack), or one part."""

    ALL = "all"
    API = "api"
    WORKER = "worker"
    PREFECT_API = "prefect-api"
    PREFECT_SERVICES = "prefect-services"


def role_problem(role: StackRole, settings: Settings) -> str | None:
    """Why this machine cannot run `role` as configured, or None."""
    if role not in (StackRole.PREFECT_API, StackRole.PREFECT_SERVICES):
        return None
    if not settings.prefect_on_postgres:
        return (f"--role {role} needs PostgreSQL for Prefect's database "
                "(GOVFLOW_PREFECT_DATABASE_URL=postgresql+asyncpg://…): several Prefect "
                "processes cannot share SQLite")
    if not settings.redis_url:
        return (f"--role {role} needs Redis (GOVFLOW_REDIS_URL=redis://…): Prefect's API and "
                "its services exchange events and leases through it")
    return None


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the stack, from the first child's start on: a stack told to stop
    while it is still starting leaves no child running. SIGINT is taken explicitly: a process
    started in the background by a non-interactive shell inherits it ignored, and Python then
    never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))


def start_role(stack: "Stack", role: StackRole) -> None:
    """Start the processes of `role` and wait until they answer."""
    settings = stack.settings
    prefect_health = f"{settings.prefect_api_url}/health"
    if role in (StackRole.ALL, StackRole.PREFECT_API):
        (stack.start_prefect_server if role is StackRole.ALL else stack.start_prefect_api)()
        stack.wait_until(prefect_health, "the Prefect server")
    if role is StackRole.PREFECT_SERVICES:
        stack.start_prefect_services()
    if role in (StackRole.ALL, StackRole.WORKER):
        stack.wait_until(prefect_health, "the Prefect server")
        stack.start_worker()
    if role in (StackRole.ALL, StackRole.API):
        stack.start_api()
        stack.wait_until(f"http://{settings.host}:{settings.port}/readyz", "the API")


def addresses(role: StackRole, settings: Settings) -> list[tuple[str, str]]:
    """What to tell the operator once `role` is up: what runs, and where."""
    api = f"http://{settings.host}:{settings.port}"
    shown = []
    if role in (StackRole.ALL, StackRole.API):
        shown += [("API docs (OpenAPI)", f"{api}/docs"), ("policy handbook", f"{api}/handbook/"),
                  ("readiness", f"{api}/readyz")]
    if role in (StackRole.ALL, StackRole.PREFECT_API):
        shown.append(("Prefect UI", settings.prefect_api_url.removesuffix("/api")))
    if role is StackRole.PREFECT_SERVICES:
        shown.append(("Prefect background services", "started"))
    if role in (StackRole.ALL, StackRole.WORKER):
        shown.append(("worker", f"runs flows for {settings.prefect_api_url}"))
    return shown


def redis_env(url: str) -> dict[str, str]:
    """Prefect's settings for several server processes sharing events, caches, leases and
    background work through Redis ("How to scale self-hosted Prefect")."""
    return {"PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
            "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
            "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
            "PREFECT_REDIS_MESSAGING_URL": url,
            "PREFECT_SERVER_DOCKET_URL": url}


def migrate_prefect(settings: Settings) -> None:
    """Prefect's own database to its newest schema and its block types registered, once
    (replicas start without doing either)."""
    env = Stack(settings).prefect_env()
    subprocess.run([str(BIN / "prefect"), "server", "database", "upgrade", "-y"], env=env,
                   check=True)
    subprocess.run([sys.executable, "-c", REGISTER_BLOCKS], env=env, check=True)


class ChildExited(RuntimeError):
    pass
