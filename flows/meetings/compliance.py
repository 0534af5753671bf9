"""The missed-meeting sweep (QL-10a): every day, each period that ended without the body's
meeting held becomes one finding."""

from datetime import date

from prefect import flow, get_run_logger

from flows.engine.runtime import rt, run_day
from services.meetings import compliance
from services.meetings.bodies import bodies, rules


@flow(name="meeting-compliance")
async def meeting_compliance(as_of: date | None = None, since: date | None = None
                             ) -> int:
    """Periods that ended before `as_of` (by default the day of the run's slot: a sweep run
    late judges the day it was scheduled for) and began on or after `since` (by default the
    day tracking began, rules.yaml; earlier for a catch-up an operator asks for)."""
    found = compliance.sweep(rt().db, rules(), bodies(), as_of or run_day(), since)
    for f in found:
        get_run_logger().info("%s: no meeting held in %s", f.body_code, f.period)
    return len(found)
