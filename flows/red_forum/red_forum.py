"""The red forum (红心论坛, LK-13a), one run per quarter from its schedule: convene with the
topics proposed from the last quarter's hard cases → the organiser records the forum (topics
picked and added, attendance, actions; a work item) → each action becomes its owner's work."""

from datetime import date
from itertools import count

from prefect import flow, task
from prefect.runtime import flow_run

from flows.engine.human_tasks import wait_for
from flows.engine.runtime import rt, run_day, today
from services.red_forum import forums
from services.work.work_items import WorkItemSpec


@flow(name="red-forum", persist_result=True)
async def red_forum(on: date | None = None) -> str:
    """`on`: the day the forum is convened, given when its run is started again (the
    reconciler); otherwise the day of the run's slot in the schedule."""
    forum_id = convene(str(flow_run.id), on or run_day())
    for attempt in count(1):
        decision = await wait_for(record_step(forum_id, attempt))
        action_ids = apply_record(forum_id, decision.content)
        if action_ids:
            break
    open_follow_up(action_ids)
    close_case(forum_id)
    return "held"


def record_step(forum_id: int, attempt: int) -> WorkItemSpec:
    return forums.record_spec(forums.case_of(rt().db, forum_id), forums.forum_rules(), attempt)


@task(retries=3, retry_delay_seconds=2)
def convene(run_id: str, day: date) -> int:
    return forums.convene(rt().db, rt().calendar, forums.forum_rules(), day, run_id)


@task(retries=3, retry_delay_seconds=2)
def apply_record(forum_id: int, content: dict) -> list[int] | None:
    return forums.apply_record(rt().db, rt().calendar, forum_id, content, today())


@task(retries=3, retry_delay_seconds=2)
def open_follow_up(action_ids: list[int]) -> None:
    forums.open_follow_up(rt().db, action_ids)


@task(retries=3, retry_delay_seconds=2)
def close_case(forum_id: int) -> None:
    forums.close_case(rt().db, forum_id, today())
