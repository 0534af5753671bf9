"""Parallel project approval (HC-14b): land-transfer contract to construction permit.

The approvals a project needs open together in each department's queue; the flow waits until
every one of them is decided (a return for correction pauses only that department's approval
while the others go on), then opens the next round — the construction permit, once all its
prerequisites are approved. A rejection ends the case with the department's reasons.
Departments decide in any order, at the same instant too: the stage resumes the flow once,
with every decision (services/work_items.py).
"""

from prefect import flow, task

from flows.engine.human_tasks import wait_for_all
from flows.engine.runtime import rt, today
from policies.decisions import ApprovalDecision
from policies.project_approval.projects import ApprovalStep
from policies.work_items import group_of
from services.project_approval import projects
from services.project_approval.plan import project_plan
from services.work.work_items import StageSpec


@flow(name="project-approval", persist_result=True)
async def project_approval(case_id: int) -> str:
    decisions: dict[str, ApprovalDecision] = {}
    for number, together in enumerate(project_plan().rounds(), start=1):
        decisions = await wait_for_all(approvals(case_id, number, together))
        if any(d.outcome == "reject" for d in decisions.values()):
            return finish_project(case_id, decisions)
    return finish_project(case_id, decisions)


def approvals(case_id: int, number: int, together: list[ApprovalStep]) -> StageSpec:
    groups = {group_of("department", a.department): a for a in together}
    return StageSpec(
        case_id=case_id, step="approval", attempt=number, mode="all", form="approval",
        title="并联审批", groups=list(groups),
        titles_by_group={g: a.name_zh for g, a in groups.items()},
        due_on_by_group={g: rt().calendar.add_working_days(today(), a.working_days)
                         for g, a in groups.items()})


@task(retries=3, retry_delay_seconds=2)
def finish_project(case_id: int, decisions: dict[str, ApprovalDecision]) -> str:
    return projects.finish(rt().db, case_id, decisions, today())
