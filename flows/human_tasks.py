"""Waiting for people inside a flow: `decision = await wait_for(step)`.

The work item is opened (idempotently: a flow re-runs from the top after each resume and must
find the same item), then the run suspends under a key derived from the item. The decision
API writes the resume into the outbox; the relay resumes the run with the decision as typed
input. On the re-run, Prefect answers the same suspend key with the stored decision at once.
"""

from prefect import task
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run
from pydantic import BaseModel

from flows.runtime import rt
from policies.decisions import FORMS
from services import work_items
from services.work_items import WorkItemSpec


@task(retries=3, retry_delay_seconds=2, persist_result=True)
def open_work_item(spec: WorkItemSpec) -> int:
    return work_items.open_item(rt().db, spec).id


async def wait_for(spec: WorkItemSpec) -> BaseModel:
    """Open the work item and suspend until its decision arrives; return the decision."""
    spec = spec.model_copy(update={"flow_run_id": str(flow_run.id)})
    item_id = open_work_item(spec)
    return await suspend_flow_run(wait_for_input=FORMS[spec.form],
                                  key=work_items.pause_key(item_id), timeout=None)
