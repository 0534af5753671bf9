"""Human tasks (work items): what flows wait for and what people do.

Each operation is one transaction: load, ask policies/work_items.py, change, audit, commit.
Concurrent changes to one item are caught by its version (optimistic locking) and answered
with Conflict; a decision also writes the outbox message that resumes the waiting flow run.
"""

from services.work.work_items.operations import (
    assign,
    claim,
    decide,
    decision_of,
    delegate,
    get,
    history,
    open_item,
    queue,
    resolve,
    unclaim,
    urge,
)
from services.work.work_items.rewind import return_to, withdraw
from services.work.work_items.schemas import (
    QueueFilter,
    StageDecisions,
    StageSpec,
    WorkItemRead,
    WorkItemSpec,
    pause_key,
    stage_pause_key,
)
from services.work.work_items.stages import add_signer, open_stage, stage_result
from services.work.work_items.store import open_step

__all__ = [
    "QueueFilter", "StageDecisions", "StageSpec", "WorkItemRead", "WorkItemSpec", "add_signer",
    "assign", "claim", "decide", "decision_of", "delegate", "get", "history", "open_item",
    "open_stage", "open_step",
    "pause_key", "queue", "resolve", "return_to", "stage_pause_key", "stage_result",
    "unclaim", "urge", "withdraw",
]
