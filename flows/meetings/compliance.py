"""The missed-meeting sweep (QL-10a): every day, each period that ended without the body's
meeting held becomes one finding."""

from datetime import date

from prefect import flow, get_run_logger

from flows.engine.runtime import rt, today
from services.meetings import compliance
from services.meetings.bodies import bodies, rules


@flow(name="meeting-compliance")
async def meeting_compliance(as_of: date | None = None) -> int:
    found = compliance.sweep(rt().db, rules(), bodies(), as_of or today())
    for f in found:
        get_run_logger().info("%s: no meeting held in %s", f.body_code, f.period)
    return len(found)
