"""Department approval of an application (HC-11, HC-03), version 1.

The responsible department decides. A return for correction goes to the accepting station,
with the case's clock stopped until the applicant has supplied what was asked (the decision
itself stops and restarts the clock); then the department decides again. Approval or
rejection ends the case with feedback to the applicant.
"""

from itertools import count

from prefect import flow

from flows.engine.human_tasks import wait_for
from flows.one_stop.approval_steps import case_facts, correction, department_review, finish_case
from policies.decisions import ApprovalDecision


@flow(name="approval", persist_result=True)
async def approval(case_id: int) -> str:
    case = case_facts(case_id)
    for attempt in count(1):
        decision: ApprovalDecision = await wait_for(department_review(case, attempt))
        if decision.outcome != "return":
            break
        await wait_for(correction(case, attempt, decision))
    finish_case(case_id, decision)
    return decision.outcome
