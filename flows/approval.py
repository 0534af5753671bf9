"""Department approval of an application (HC-11, HC-03).

The responsible department decides. A return for correction goes to the accepting station,
with the case's clock stopped until the applicant has supplied what was asked (the decision
itself stops and restarts the clock); then the department decides again. Approval or
rejection ends the case with feedback to the applicant.
"""

from itertools import count

from prefect import flow, task

from flows.human_tasks import wait_for
from flows.runtime import rt
from policies.decisions import ApprovalDecision, final_status
from policies.work_items import group_of
from services import cases
from services.cases import CaseFacts
from services.work_items import WorkItemSpec


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


def department_review(case: CaseFacts, attempt: int) -> WorkItemSpec:
    return WorkItemSpec(case_id=case.id, step="department-review", attempt=attempt,
                        title=f"审批 {case.service} 第{attempt}次", form="approval",
                        candidate_group=group_of("department", case.department))


def correction(case: CaseFacts, attempt: int, returned: ApprovalDecision) -> WorkItemSpec:
    return WorkItemSpec(case_id=case.id, step="correction", attempt=attempt,
                        title="补正材料：" + "、".join(returned.corrections), form="correction",
                        candidate_group=group_of("station", case.station), due="none",
                        deadline_kind=None, ladder=None)


@task(persist_result=True)
def case_facts(case_id: int) -> CaseFacts:
    return cases.facts(rt().db, case_id)


@task(retries=3, retry_delay_seconds=2)
def finish_case(case_id: int, decision: ApprovalDecision) -> None:
    cases.finish(rt().db, case_id, final_status(decision), decision.model_dump(mode="json"))
