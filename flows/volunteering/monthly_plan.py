"""The monthly volunteer plan (双报到, QL-11a/b), run on the 20th for the month after.

Plan the month from the contracts, the members' claims and the calendar; the independent
validator's verdict travels with the draft, and so does the explanation of a month that cannot
seat everyone (which rule, where, by how much, who is left out and why, what would fix it).
Nothing is published before the district's secretaries have read the draft: a `plan-review`
work item asks them to publish it or to re-plan it with changes (a closed date, a capacity),
which the flow applies, solves again and puts back to them, until they publish.
"""

from datetime import date
from itertools import count

from prefect import flow, task
from prefect.runtime import flow_run

from flows.engine.human_tasks import wait_for
from flows.engine.runtime import rt, today
from services.volunteering import plans, review
from services.work import cases

ACTOR = review.ACTOR


def next_month(day: date) -> str:
    return f"{day.year + day.month // 12}-{day.month % 12 + 1:02d}"


@flow(name="volunteer-month-plan", persist_result=True)
async def monthly_plan(month: str | None = None, case_id: int | None = None) -> dict:
    month = month or next_month(today())
    case_id = open_case(month, str(flow_run.id), case_id)  # given: a re-driven run
    changes: dict = {"closed": [], "capacities": {}}
    for attempt in count(1):
        draft = draft_plan(month, case_id, attempt, changes)
        decision = await wait_for(review.review_spec(case_id, draft, attempt))
        answer = review.read_review(decision.content)
        if answer is not None and answer.outcome == "publish":
            return publish_plan(draft["id"], case_id)
        if answer is not None:
            changes = review.merged(changes, answer)  # a malformed answer: ask again


@task(retries=2, retry_delay_seconds=5)
def open_case(month: str, run_id: str, case_id: int | None) -> int:
    return review.open_case(rt().db, month, run_id, today(), case_id)


@task(retries=2, retry_delay_seconds=5)
def draft_plan(month: str, case_id: int, attempt: int, changes: dict) -> dict:
    return plans.draft_plan(rt().db, ACTOR, month, changes["closed"], changes["capacities"],
                            review=(case_id, attempt)).__dict__


@task(retries=2, retry_delay_seconds=5)
def publish_plan(plan_id: int, case_id: int) -> dict:
    published = plans.publish(rt().db, ACTOR, plan_id, by_flow=True)
    cases.finish(rt().db, case_id, "published", {"plan": plan_id}, today())
    return published.__dict__
