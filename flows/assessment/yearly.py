"""The yearly happy-community assessment (LK-02), one run a year from its schedule (10 January,
data): compute every community's indicators, score and rank for the year before, the change of
rank and the award candidates → the district confirms or declines each candidate (a work item)
→ the ranking is published with its awards.

The year is a parameter; without it, the year before the run's day (`run_day`: the day of the
run's slot for a run the schedule created, else today — the controlled clock's day when one is
set, GOVFLOW_TODAY, for tests and rehearsals)."""

from itertools import count

from prefect import flow, task
from prefect.runtime import flow_run

from flows.engine.human_tasks import wait_for
from flows.engine.runtime import rt, run_day, today
from policies.assessment.rules import assessed_year
from services.assessment import assessments
from services.work.work_items import WorkItemSpec


@flow(name="assessment", persist_result=True)
async def yearly_assessment(year: int | None = None) -> str:
    year = year or assessed_year(run_day())
    assessment_id = assess(year, str(flow_run.id))
    for attempt in count(1):
        if is_published(assessment_id):
            break
        decision = await wait_for(confirm_step(assessment_id, attempt))
        if apply_decisions(assessment_id, decision.content):
            break
    return f"{year} published"


def confirm_step(assessment_id: int, attempt: int) -> WorkItemSpec:
    return assessments.confirmation_spec(assessments.case_of(rt().db, assessment_id),
                                         assessments.assessment_rules(), attempt)


@task(retries=3, retry_delay_seconds=2)
def assess(year: int, run_id: str) -> int:
    return assessments.assess(rt().db, assessments.assessment_rules(), year, today(), run_id)


@task(retries=3, retry_delay_seconds=2)
def is_published(assessment_id: int) -> bool:
    return assessments.is_published(rt().db, assessment_id)


@task(retries=3, retry_delay_seconds=2)
def apply_decisions(assessment_id: int, content: dict) -> bool:
    return assessments.apply_decisions(rt().db, assessments.assessment_rules(), assessment_id,
                                       content, today())
