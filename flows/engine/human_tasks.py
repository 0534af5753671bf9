"""Waiting for people inside a flow: `decision = await wait_for(step)` for one group,
`decisions = await wait_for_all(stage)` for several at once (会签/或签).

The work item is opened idempotently, then the run suspends under a key derived from the item.
The decision API writes the resume into the outbox; the relay resumes the run with the
decision as typed input, and the run starts again from the top (Prefect's suspension).

Every step already decided is answered from the business database, with one read and nothing
sent to Prefect: a resumed run replays the case's earlier steps this way, as does a run that
takes a case over (a migration to a new process version, a re-driven crashed run). Answered by
Prefect instead (a cached task run, a refused suspension and a read of the stored input for
each), a case's 10th step cost the worker and the Prefect server 4.3 times its first
(bench/steps.py, docs/execution-model.md). Only the step not yet decided opens its item and
suspends.
"""

from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run
from pydantic import BaseModel

from flows.engine.runtime import rt
from policies.decisions import FORMS
from services.work import work_items
from services.work.work_items import StageDecisions, StageSpec, WorkItemRead, WorkItemSpec


# Plain calls, not Prefect tasks (as the meetings' steps): a task run costs the server its events
# and a stored result at every step, 10-15 % of a step's CPU (bench/steps.py). Opening is
# idempotent by step key, the unit of work retries a write conflict, and a run that fails
# otherwise is started again by the reconciler, which replays it.
def open_work_item(spec: WorkItemSpec) -> WorkItemRead:
    return work_items.open_item(rt().db, spec)


def open_stage(stage: StageSpec) -> StageDecisions | None:
    work_items.open_stage(rt().db, stage)
    return work_items.stage_result(rt().db, stage.case_id, stage.stage_key)


async def wait_for(spec: WorkItemSpec) -> BaseModel:
    """Open the work item and suspend until its decision arrives; return the decision."""
    form = FORMS[spec.form]
    decided = work_items.decision_of(rt().db, spec)
    if decided is not None:
        return form.model_validate(decided)
    item = open_work_item(spec.model_copy(update={"flow_run_id": str(flow_run.id)}))
    if item.decision is not None:
        return form.model_validate(item.decision)
    return await suspend_flow_run(wait_for_input=form, key=work_items.pause_key(item.id),
                                  timeout=None)


async def wait_for_all(stage: StageSpec) -> dict[str, BaseModel]:
    """Open one item per group and suspend once for the whole stage, until every group (会签)
    or the first (或签) has decided; return the decisions by group."""
    result = work_items.stage_result(rt().db, stage.case_id, stage.stage_key)
    if result is None:
        result = open_stage(stage.model_copy(update={"flow_run_id": str(flow_run.id)}))
    if result is None:
        result = await suspend_flow_run(
            wait_for_input=StageDecisions, timeout=None,
            key=work_items.stage_pause_key(stage.case_id, stage.stage_key))
    form = FORMS[stage.form]
    return {group: form.model_validate(d) for group, d in result.decisions.items()}
