"""Department approval of an application (HC-11, HC-03), version 2.

As version 1, and an approved result is confirmed delivered to the applicant by the station
before the case ends (送达确认).
"""

from itertools import count

from prefect import flow

from flows.engine.human_tasks import wait_for
from flows.one_stop.approval_steps import (
    case_facts,
    correction,
    delivery,
    department_review,
    finish_case,
)
from policies.decisions import ApprovalDecision


@flow(name="approval", persist_result=True)
async def approval(case_id: int) -> str:
    case = case_facts(case_id)
    for attempt in count(1):
        decision: ApprovalDecision = await wait_for(department_review(case, attempt))
        if decision.outcome != "return":
            break
        await wait_for(correction(case, attempt, decision))
    if decision.outcome == "approve":
        await wait_for(delivery(case))
    finish_case(case_id, decision)
    return decision.outcome
