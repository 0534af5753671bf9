"""One runtime per worker process: tasks share its database pool and calendar."""

from datetime import date
from functools import lru_cache

from prefect.runtime import flow_run

from services.platform import clock, runtime

# Prefect tags the runs its scheduler creates from a deployment's schedules (also those of
# POST /deployments/{id}/schedule, the same code path: backfills, catch-up).
FROM_SCHEDULE = "auto-scheduled"


@lru_cache(maxsize=1)
def rt() -> runtime.Runtime:
    return runtime.build()


def today():
    return clock.today(rt().settings)


def run_day() -> date:
    """The day this run stands for: a run the schedule created stands for its slot (a meeting
    scheduled for 5 March convenes March's meeting even if the worker runs it late, after an
    outage, or in a backfill); a run started by hand stands for today. Prefect sets the
    expected start time once, so resumes of the run keep the same day."""
    if FROM_SCHEDULE in (flow_run.tags or []):
        return flow_run.scheduled_start_time.astimezone(clock.DISTRICT_TIME).date()
    return today()
