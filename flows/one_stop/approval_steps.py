"""The steps the versions of the approval process are built from.

A version module (approval_v1.py, approval_v2.py) composes these; to change what a step does
for new cases only, add a new step here and use it in a new version, leaving old ones as they
are (cases in flight re-run their own version's code on every resume).
"""

from prefect import task

from flows.engine.runtime import rt, today
from policies.decisions import ApprovalDecision, final_status
from policies.work_items import group_of
from services.work import cases
from services.work.cases import CaseFacts
from services.work.work_items import WorkItemSpec


def department_review(case: CaseFacts, attempt: int) -> WorkItemSpec:
    return WorkItemSpec(case_id=case.id, step="department-review", attempt=attempt,
                        title=f"审批 {case.service} 第{attempt}次", form="approval",
                        candidate_group=group_of("department", case.department))


def correction(case: CaseFacts, attempt: int, returned: ApprovalDecision) -> WorkItemSpec:
    return WorkItemSpec(case_id=case.id, step="correction", attempt=attempt,
                        title="补正材料：" + "、".join(returned.corrections), form="correction",
                        candidate_group=group_of("station", case.station), due="none",
                        deadline_kind=None, ladder=None)


def delivery(case: CaseFacts) -> WorkItemSpec:
    return WorkItemSpec(case_id=case.id, step="delivery", title="确认送达办理结果",
                        form="delivery", candidate_group=group_of("station", case.station),
                        due="none", deadline_kind=None, ladder=None)


def case_facts(case_id: int) -> CaseFacts:
    """A read, not a step, so not a task: every task run is recorded by the Prefect server,
    the part that limits throughput (docs/benchmarks.md), and a read needs no retry record."""
    return cases.facts(rt().db, case_id)


@task(retries=3, retry_delay_seconds=2)
def finish_case(case_id: int, decision: ApprovalDecision) -> None:
    cases.finish(rt().db, case_id, final_status(decision), decision.model_dump(mode="json"),
                 today())
