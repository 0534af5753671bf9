"""Steps a process records from its own use cases: the work item is opened and completed inside
the caller's transaction, next to the process's own change, so the queue, the deadline and its
escalations stay the work layer's while the process keeps one transaction per state change.
A flow run may wait on such an item as on any other (flows/engine/human_tasks.py): it finds
the item the use case opened, and completing it resumes the run. Any process may use it."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import work_items as rules
from policies.access import Actor
from services.platform import audit
from services.work.models import WorkItem
from services.work.work_items.schemas import WorkItemSpec, pause_key
from services.work.work_items.store import audit_view, check_form, open_step, resume

OPEN = (rules.Status.OPEN.value, rules.Status.CLAIMED.value, rules.Status.DELEGATED.value)


def open_in(session: Session, spec: WorkItemSpec) -> WorkItem:
    """Open the step's item (or find the one already open for this step and attempt)."""
    check_form(spec.form)
    return open_step(session, spec, step_key=spec.step_key)


def current(session: Session, case_id: int, step: str) -> WorkItem | None:
    """The case's open item of `step`, locked for the change about to be made."""
    return session.scalar(select(WorkItem).where(
        WorkItem.case_id == case_id, WorkItem.step == step, WorkItem.status.in_(OPEN))
        .order_by(WorkItem.id.desc()).limit(1).with_for_update())


def complete_in(session: Session, actor: Actor, item: WorkItem, decision: dict[str, Any]
                ) -> None:
    """Complete the item with `decision`, decided by `actor`, audited like any decision; a flow
    run waiting on the item is resumed with it (through the outbox, after commit)."""
    before = audit_view(item)
    item.status = rules.Status.COMPLETED.value
    item.assignee = item.decided_by = actor.username
    item.decision, item.completed_at = decision, datetime.now(UTC)
    session.flush()
    audit.record(session, actor, action="work_item.decide", subject_type="work_item",
                 subject_id=item.id, before=before, after=audit_view(item))
    if item.flow_run_id:
        resume(session, item.flow_run_id, pause_key(item.id), decision)
