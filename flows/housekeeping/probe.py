"""A run that does nothing: shows the worker executes runs end to end (an operator starts
`probe/ping` after a change), and is the empty run the benchmarks measure a case step
against (bench/orchestration.py)."""

from prefect import flow


@flow(name="probe")
async def probe() -> str:
    return "ok"
