"""The grid loop of one issue (网格闭环, QL-07, LK-06, HC-03), version 1.

Reported on patrol or by a resident, the issue goes to its handler (the grid, the community or
a department, by category). A supervisor who did not handle it verifies the result; a failed
verification sends it back to the handler for another round. Once it passes, the grid tells
the raiser the outcome and records the raiser's evaluation: satisfied closes the loop; a
dissatisfied raiser reopens it once for the handler, then the community secretary takes it
over (policies/grid/loop.py decides each turn, for the use cases and for this flow alike).

Each step is a work item opened by the use case that recorded the step before it
(services/grid/issues.py); the flow waits on it, and a flow re-driven by the reconciler
replays what people already recorded and waits where they have not.
"""

from itertools import count

from prefect import flow, task

from flows.engine.human_tasks import wait_for
from flows.engine.runtime import rt, today
from policies.decisions import ApprovalDecision, RecordedStep
from policies.grid.loop import (
    LoopState,
    Stage,
    after_evaluation_step,
    after_feedback,
    after_supervision,
)
from services.grid import issues
from services.work.work_items import WorkItemSpec


@flow(name="grid-loop", persist_result=True)
async def grid_loop(case_id: int) -> str:
    state = LoopState(stage=Stage.HANDLING)
    for round_ in count(1):
        await wait_for(step(case_id, "resolve", round_))  # 解决
        verdict: ApprovalDecision = await wait_for(step(case_id, "supervise", round_))  # 督查
        state = after_supervision(state, verdict.outcome == "approve")
        if state.stage is Stage.HANDLING:
            continue  # back to the handler with the supervisor's reasons
        await wait_for(step(case_id, "feedback", round_))  # 反馈
        said: RecordedStep = await wait_for(step(case_id, "evaluation", round_))  # 评价
        state = after_evaluation_step(after_feedback(state), said.record,
                                      said.content.get("rating"))
        if state.stage is Stage.CLOSED:
            break
    return end_case(case_id)


def step(case_id: int, name: str, round_: int) -> WorkItemSpec:
    """A read, not a task (as approval_steps.case_facts): no retry record needed."""
    return issues.step_of(rt().db, case_id, name, round_)


@task(retries=3, retry_delay_seconds=2)
def end_case(case_id: int) -> str:
    return issues.end_case(rt().db, case_id, today())
