"""Every morning, wishes still unclaimed after the data's number of days are urged, once."""

from datetime import date

from prefect import flow

from flows.engine.runtime import rt, today
from services.wishes import reference, wishes


@flow(name="wishes-urge")
async def urge_unclaimed_wishes(as_of: date | None = None) -> int:
    return len(wishes.urge_unclaimed(rt().db, reference.rules(), as_of or today()))
