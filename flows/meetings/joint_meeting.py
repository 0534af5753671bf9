"""A joint meeting (党建联席会议, QL-10a/b/c), one flow run per meeting, started by its body's
schedule (flows/worker.py: the cadence data become Prefect deployment schedules):

convene (invite the members serving today, open the window for matters, propose the
platform's overdue and escalated work and the body's overdue resolutions) → the secretary
finalises the agenda (a work item) → the secretary records the meeting: attendance, quorum,
one resolution per agenda item (a work item) → each resolution becomes its owner's work →
the secretary confirms the minutes (a work item), which are published to the invitees.

The steps between the waits are plain calls, not Prefect tasks: the run replays them after
every resume, each is idempotent on the business database (the meeting's status says what is
done), and a task run costs the Prefect server several calls and a stored result on every
replay (a year of the district's meetings is 212 runs and 422 resumes). A transient database
conflict is retried by the unit of work; anything else fails the run, and the reconciler
starts it again.
"""

from datetime import date
from itertools import count

from prefect import flow
from prefect.runtime import flow_run

from flows.engine.human_tasks import wait_for
from flows.engine.runtime import rt, run_day, today
from services.meetings import meetings, resolutions
from services.meetings.bodies import bodies, rules
from services.work.work_items import WorkItemSpec


@flow(name="joint-meeting", persist_result=True)
async def joint_meeting(body: str, on: date | None = None) -> str:
    """`on`: the convening day, given when a meeting's run is started again (the reconciler)
    or by hand for a past period; otherwise the day of the run's slot in the schedule."""
    meeting_id = convene(body, str(flow_run.id), on or run_day())
    await settle(meeting_id, body, "agenda", lambda c: apply_agenda(meeting_id, c))
    resolution_ids: list[int] = []

    def held(content) -> bool:
        resolution_ids[:] = apply_record(meeting_id, content) or []
        return bool(resolution_ids)

    await settle(meeting_id, body, "record", held)
    open_follow_up(resolution_ids)
    await settle(meeting_id, body, "minutes", lambda c: publish_minutes(meeting_id))
    return "minutes-published"


async def settle(meeting_id: int, body: str, step: str, apply) -> None:
    """Wait for the secretary's step and apply it; content that no longer fits (an item
    decided by hand past the endpoint's checks) is asked for again."""
    for attempt in count(1):
        decision = await wait_for(step_spec(meeting_id, body, step, attempt))
        if apply(decision.content):
            return


def step_spec(meeting_id: int, body: str, step: str, attempt: int) -> WorkItemSpec:
    return meetings.step_spec(case_of(meeting_id), body, step, attempt)


def convene(body: str, run_id: str, day: date) -> int:
    return meetings.convene(rt().db, rt().calendar, rules(), bodies()[body], day, run_id)


def case_of(meeting_id: int) -> int:
    return meetings.case_of(rt().db, meeting_id)


def apply_agenda(meeting_id: int, content: dict) -> bool:
    return meetings.apply_agenda(rt().db, meeting_id, content)


def apply_record(meeting_id: int, content: dict) -> list[int] | None:
    return meetings.apply_record(rt().db, rt().calendar, rules(), meeting_id, content, today())


def open_follow_up(resolution_ids: list[int]) -> None:
    resolutions.open_follow_up(rt().db, resolution_ids)


def publish_minutes(meeting_id: int) -> bool:
    return meetings.apply_minutes(rt().db, meeting_id, today())
