"""One runtime per worker process: tasks share its database pool and calendar."""

from functools import lru_cache

from services.platform import clock, runtime


@lru_cache(maxsize=1)
def rt() -> runtime.Runtime:
    return runtime.build()


def today():
    return clock.today(rt().settings)
