"""The one settings object: every knob is a GOVFLOW_… environment variable."""

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDED_SECRET = "govflow-embedded-insecure-secret"
VAR_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVFLOW_", extra="ignore")

    mode: Literal["embedded", "production"] = "embedded"
    database_url: str = f"sqlite:///{VAR_DIR / 'govflow.db'}"
    prefect_api_url: str = "http://127.0.0.1:4200/api"
    # The Prefect server's own database (`govflow up` starts the server); None = SQLite in var/.
    prefect_database_url: str | None = None
    secret_key: str = EMBEDDED_SECRET
    token_minutes: int = Field(default=480, ge=1, le=24 * 60)
    calendar_file: Path | None = None  # None: the calendar shipped in policies/data
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    prefect_host: str = "127.0.0.1"
    prefect_port: int = Field(default=4200, ge=1, le=65535)
    # `govflow up --role prefect-api`: the Prefect API's processes on this machine.
    prefect_api_workers: int = Field(default=1, ge=1, le=64)
    # Redis for Prefect's messaging, caches, leases and background work: needed as soon as the
    # Prefect API and its services run as separate processes (roles), e.g. redis://host:6379/0.
    redis_url: str | None = None
    # Where workers keep the results of flow tasks (a resumed run reads them instead of running
    # its tasks again): a directory every worker can read (shared storage) as soon as workers
    # run on several machines, since any of them may resume a run another started.
    results_dir: Path = VAR_DIR / "prefect-results"
    demo_password: str | None = None
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # The worker: flow runs executed at once, and how often it asks Prefect for due runs.
    # "served" runs each in a subprocess (Prefect's `serve`): only for comparing benchmarks.
    worker_executor: Literal["in-process", "served"] = "in-process"
    worker_runs: int = Field(default=16, ge=1, le=256)
    # The worker also asks at once whenever its own outbox relay starts or resumes a run.
    worker_poll_seconds: float = Field(default=2.0, ge=0.05, le=60)
    # Logs each call the worker makes to Prefect's API (method, path, status): what a step
    # costs the Prefect server, counted by bench/steps.py.
    log_prefect_calls: bool = False
    # A run holds a worker only between two waits, seconds at most (task retries included); one
    # Running or Pending this long has lost its worker, and the reconciler (scheduled every 2
    # minutes, or `govflow reconcile`) re-drives its case.
    reconcile_stuck_after_seconds: float = Field(default=120, ge=5, le=3600)
    # This machine's name where records say which machine did something (the relay that sent
    # an outbox message); None: the host name, which is enough unless two share one.
    node_name: str | None = Field(default=None, max_length=40)
    # Pins "today" for drills and tests that must cross holidays without waiting for them.
    today: date | None = None
    # Written by `govflow up`: the processes it supervises; /readyz reports one that keeps failing.
    supervisor_status_file: Path | None = None

    @model_validator(mode="after")
    def _refuse_embedded_secret_outside_embedded_mode(self) -> "Settings":
        if self.mode != "embedded" and self.secret_key == EMBEDDED_SECRET:
            raise ValueError(
                "GOVFLOW_SECRET_KEY is left at its embedded default; "
                "set a random secret of at least 32 characters for production"
            )
        if self.mode != "embedded" and len(self.secret_key) < 32:
            raise ValueError("GOVFLOW_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def reconcile_stuck_after(self) -> timedelta:
        return timedelta(seconds=self.reconcile_stuck_after_seconds)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def prefect_on_postgres(self) -> bool:
        return (self.prefect_database_url or "").startswith("postgresql")


@lru_cache
def get_settings() -> Settings:
    return Settings()
