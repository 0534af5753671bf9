"""The deadline sweep: every few minutes, warn before deadlines and escalate past them, each
level once (policies/data/escalation.yaml)."""

from datetime import date, datetime

from prefect import flow, get_run_logger

from flows.engine.runtime import rt, today
from services.work import escalations


@flow(name="deadline-sweep")
async def deadline_sweep(as_of: date | None = None, at: datetime | None = None) -> int:
    """`as_of` / `at` sweep a given day / moment (catch-up, drills, tests); by default now."""
    applied = escalations.sweep(rt().db, rt().calendar, rt().ladders, as_of or today(), at)
    for a in applied:
        get_run_logger().info("case %s item %s: level %s %s → %s", a.case_id, a.work_item_id,
                              a.level, a.name_zh, a.notified)
    return len(applied)
