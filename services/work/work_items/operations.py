"""Human tasks: opening them for a flow, the queue, and the operations people do on one item.

A decision writes, in its own transaction, the outbox message that resumes the waiting flow
run; concurrent changes to one item are caught by its version and answered with Conflict.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import processes
from policies import work_items as rules
from policies.access import Actor
from policies.calendar import WorkingCalendar
from policies.decisions import clock_effect
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict
from services.work import cases, outbox
from services.work.models import Case, WorkItem
from services.work.work_items.schemas import QueueFilter, WorkItemRead, WorkItemSpec, pause_key
from services.work.work_items.stages import close_stage_if_complete, pause_for_correction
from services.work.work_items.store import (
    act,
    check_form,
    load_visible,
    open_step,
    read_model,
    require_member,
    resume,
    set_fields,
    validated,
    visible_to,
)


def open_item(db: Database, spec: WorkItemSpec) -> WorkItemRead:
    """Open the item, or return the one already opened for this step and attempt: a flow that
    re-runs after a resume (or a new run that took a case over) asks again and gets the same
    item, now pointing at the asking run; a completed one carries its decision for replay."""
    check_form(spec.form)

    def work(uow) -> WorkItemRead:
        item = open_step(uow.session, spec, step_key=spec.step_key)
        uow.commit()
        return read_model(item)

    return db.run(work)


def decision_of(db: Database, spec: WorkItemSpec) -> dict[str, Any] | None:
    """The decision already made on this step and attempt, if any: a flow replaying its case
    answers decided steps from here, reading and changing nothing else."""
    with db.reading() as uow:
        return uow.session.scalar(select(WorkItem.decision).where(
            WorkItem.case_id == spec.case_id, WorkItem.step_key == spec.step_key))


def queue(db: Database, actor: Actor, f: QueueFilter, *, limit: int, offset: int
          ) -> list[WorkItemRead]:
    stmt = select(WorkItem).order_by(WorkItem.due_on.is_(None),
                                            WorkItem.due_on, WorkItem.id)
    for column, value in [(WorkItem.candidate_group, f.candidate_group),
                          (WorkItem.assignee, f.assignee),
                          (WorkItem.status, f.status and f.status.value)]:
        if value is not None:
            stmt = stmt.where(column == value)
    if f.due_before:
        stmt = stmt.where(WorkItem.due_on < f.due_before)
    stmt = stmt.where(visible_to(actor))
    with db.reading() as uow:
        return [read_model(i) for i in uow.session.scalars(stmt.limit(limit).offset(offset))]


def get(db: Database, actor: Actor, item_id: int) -> WorkItemRead:
    with db.reading() as uow:
        return read_model(load_visible(uow.session, actor, item_id))


def history(db: Database, actor: Actor, item_id: int) -> list[dict[str, Any]]:
    """Who did what to the item, from the audit trail (the one record of changes)."""
    with db.reading() as uow:
        load_visible(uow.session, actor, item_id)
        events = uow.session.scalars(audit.query(subject_type="work_item",
                                                 subject_id=str(item_id), limit=500))
        return [{"at": e.at, "actor": e.actor, "action": e.action, "note": e.note,
                 "after": e.after} for e in events]


def claim(db: Database, actor: Actor, item_id: int, version: int | None = None):
    return act(db, actor, item_id, "claim", version, lambda item, _: set_fields(
        item, status=rules.Status.CLAIMED, assignee=actor.username))


def unclaim(db: Database, actor: Actor, item_id: int, version: int | None = None):
    return act(db, actor, item_id, "unclaim", version,
               lambda item, _: set_fields(item, status=rules.Status.OPEN, assignee=None))


def assign(db: Database, actor: Actor, item_id: int, assignee: str, version: int | None = None):
    """转办: hand the item to another person of its group."""
    def apply(item, session):
        require_member(session, assignee, item.candidate_group, "assignee")
        set_fields(item, status=rules.Status.CLAIMED, assignee=assignee)

    return act(db, actor, item_id, "assign", version, apply, note=f"to {assignee}")


def delegate(db: Database, actor: Actor, item_id: int, delegate_to: str,
             version: int | None = None):
    """委派: lend the item to a colleague; their answer comes back to the owner."""
    def apply(item, session):
        require_member(session, delegate_to, item.candidate_group, "delegate")
        set_fields(item, status=rules.Status.DELEGATED, owner=actor.username, assignee=delegate_to)

    return act(db, actor, item_id, "delegate", version, apply, note=f"to {delegate_to}")


def resolve(db: Database, actor: Actor, item_id: int, answer: str, version: int | None = None):
    return act(db, actor, item_id, "resolve", version,
               lambda item, _: set_fields(item, status=rules.Status.CLAIMED, assignee=item.owner,
                                     owner=None), note=answer)


def urge(db: Database, actor: Actor, item_id: int, message: str):
    """催办: recorded on the item's history; its group is notified through the outbox."""
    def apply(item, session):
        outbox.notify(session, case_id=item.case_id, to=item.assignee or item.candidate_group,
                      subject=f"催办: {item.title}", body=message)

    return act(db, actor, item_id, "urge", None, apply, note=message)


def refuse_steps_recorded_elsewhere(session, item: WorkItem) -> None:
    case = session.get(Case, item.case_id)
    route = processes.recorded_through(case.process, case.process_version)
    if route:
        raise Conflict(f"a step of {case.process} is recorded through "
                       f"{route.format(case_id=case.id)}, with the process's own records")


def decide(db: Database, calendar: WorkingCalendar, actor: Actor, item_id: int,
           payload: dict[str, Any], today: date, version: int | None = None,
           alongside: Callable[[Session], None] | None = None) -> WorkItemRead:
    """Complete the item with a decision on its form; the waiting flow run is resumed with it.
    A return for correction stops the case's clock and the correction restarts it, in this
    same transaction, so a flow that re-runs never applies them twice. `alongside` writes the
    process's own records of the decision in the same transaction (or refuses it by raising:
    then nothing at all is written)."""
    def apply(item, session):
        if alongside is None:  # the generic decision, not a process's own route
            refuse_steps_recorded_elsewhere(session, item)
        _decide(item, session)
        if alongside is not None:
            alongside(session)

    def _decide(item, session):
        decision = validated(item.form, payload)
        if item.stage_key and clock_effect(item.form, decision) == "suspend":
            pause_for_correction(session, actor, item, decision)
            return
        set_fields(item, status=rules.Status.COMPLETED, assignee=actor.username, decision=decision,
             decided_by=actor.username, completed_at=datetime.now(UTC))
        cases.apply_clock(session, calendar, item.case_id,
                          clock_effect(item.form, decision), today)
        if item.stage_key:
            close_stage_if_complete(session, actor, item)
        elif item.flow_run_id:
            resume(session, item.flow_run_id, pause_key(item.id), decision)

    return act(db, actor, item_id, "decide", version, apply)

