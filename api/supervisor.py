"""`govflow up`: the whole embedded stack in one terminal; Ctrl-C stops what it started."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.platform.settings import VAR_DIR, Settings

BIN = Path(sys.executable).parent


MAX_RESTARTS = 5


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    argv: list[str]
    env: dict[str, str]
    restarts: int = 0


class Stack:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.children: list[Child] = []
        self.logs = VAR_DIR / "logs"

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.children.append(Child(name, self._spawn(name, argv, env), argv, env))

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - lives with the child
        return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_prefect_server(self) -> None:
        env = self.env() | {"PREFECT_HOME": str((VAR_DIR / "prefect").resolve()),
                            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                            "PREFECT_UI_API_URL": self.settings.prefect_api_url,
                            # The scheduler would insert 100 future runs per deployment at
                            # once; on SQLite that stalls every other write for seconds.
                            "PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS": "5"}
        if self.settings.prefect_database_url:
            env["PREFECT_API_DATABASE_CONNECTION_URL"] = self.settings.prefect_database_url
        env.pop("PREFECT_API_URL", None)  # the server must not try to talk to itself
        self.start("prefect-server", [str(BIN / "prefect"), "server", "start", "--host",
                                      "127.0.0.1", "--port", str(self.settings.prefect_port)], env)

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
            "PREFECT_LOCAL_STORAGE_PATH": str((VAR_DIR / "prefect-results").resolve()),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "GOVFLOW_DATABASE_URL": self.settings.database_url,
            "GOVFLOW_PREFECT_API_URL": self.settings.prefect_api_url,
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
        cases, decisions and the outbox are in the database, waiting runs in Prefect's); one
        that keeps dying stops the stack."""
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        while True:
            for child in self.children:
                if child.process.poll() is None:
                    continue
                if child.restarts >= MAX_RESTARTS:
                    self.check_alive()
                child.restarts += 1
                report(f"{child.name} exited with {child.process.returncode}; "
                       f"starting it again ({child.restarts}/{MAX_RESTARTS})")
                child.process = self._spawn(child.name, child.argv, child.env)
            time.sleep(1)


class ChildExited(RuntimeError):
    pass
