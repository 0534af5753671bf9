"""The whistle sweep: every minute, a whistle whose summoned departments have not reported in
time climbs one level (QL-14); minutes matter here, so it runs apart from the deadline sweep's
ten-minute round."""

from datetime import datetime

from prefect import flow, get_run_logger

from flows.engine.runtime import rt
from services.whistle import reference, whistles


@flow(name="whistle-sweep")
async def whistle_sweep(at: datetime | None = None) -> int:
    """`at` sweeps a given moment (drills, tests); by default now."""
    climbed = whistles.sweep(rt().db, reference.rules(), reference.ladder(), at)
    for case_id, level in climbed:
        get_run_logger().info("case %s: whistle reached level %s", case_id, level)
    return len(climbed)
