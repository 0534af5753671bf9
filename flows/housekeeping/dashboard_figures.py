"""Every night, each process's dashboard figures of the day are written to the platform's
table of dated figures (services/platform/figures.py): the handbook charts them over time.

The flow knows no process: the composition root (flows/worker.py) passes the modules that
compute figures (`services/<process>/figures.py`) by name, as the deployment's parameters."""

from datetime import date
from importlib import import_module

from prefect import flow, get_run_logger

from flows.engine.runtime import rt, today
from policies.access import Actor, Role
from services.platform import figures

RECORDER = Actor(username="process:dashboard-figures", role=Role.ADMIN)


@flow(name="dashboard-figures")
async def dashboard_figures(sources: list[str], as_of: date | None = None) -> dict[str, int]:
    """`sources`: module names, each with PROCESS and figures(db, calendar, today); `as_of`
    records a given day (catch-up, tests), by default today."""
    changed = figures.record_sources(rt().db, rt().calendar, RECORDER,
                                     [import_module(name) for name in sources],
                                     as_of or today())
    get_run_logger().info("dashboard figures changed per process: %s", changed)
    return changed
