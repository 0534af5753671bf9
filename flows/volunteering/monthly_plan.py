"""The monthly volunteer plan (双报到, QL-11a/b), run on the 20th for the month after.

Plan the month from the contracts, the members' claims and the calendar; the independent
validator's verdict travels with the draft. A draft where every hard rule holds and every member
is seated is published; otherwise it stays a draft with its explanation (which rule, where, by
how much, who is left out and why, what would fix it) for the secretary to re-plan or publish.
"""

from datetime import date

from prefect import flow, task

from flows.engine.runtime import rt, today
from services.volunteering import plans
from services.work.cases import process_actor

ACTOR = process_actor("volunteer-month-plan")


def next_month(day: date) -> str:
    return f"{day.year + day.month // 12}-{day.month % 12 + 1:02d}"


@flow(name="volunteer-month-plan", persist_result=True)
def monthly_plan(month: str | None = None) -> dict:
    month = month or next_month(today())
    draft = draft_plan(month)
    if draft["rules_hold"] and not draft["uncovered"]:
        return publish_plan(draft["id"])
    return draft


@task(retries=2, retry_delay_seconds=5)
def draft_plan(month: str) -> dict:
    return plans.draft_plan(rt().db, ACTOR, month).__dict__


@task(retries=2, retry_delay_seconds=5)
def publish_plan(plan_id: int) -> dict:
    return plans.publish(rt().db, ACTOR, plan_id).__dict__
