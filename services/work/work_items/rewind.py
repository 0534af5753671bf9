"""Going back (撤回 and 退回): the case returns to an earlier step, later steps are archived,
and its run is replaced by one that replays what still stands."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import work_items as rules
from policies.access import Actor
from policies.decisions import clock_effect
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput
from services.work import outbox
from services.work.models import Case, WorkItem
from services.work.work_items.store import FINAL_VALUES, act, audit_view, set_fields, view_of


def withdraw(db: Database, actor: Actor, item_id: int, version: int | None = None):
    """撤回: take one's own decision back while nobody has acted on what followed; the case
    goes back to this step, which waits for the decider again."""
    def apply(item, session):
        later = _later_items(session, item)
        if not rules.untouched([view_of(i) for i in later]):
            raise Conflict("the next person has already acted on the case; the decision stands")
        _rewind(session, actor, target=item, later=later, acted=item, reopen_for=actor.username,
                why="撤回")

    return act(db, actor, item_id, "withdraw", version, apply)


def return_to(db: Database, actor: Actor, item_id: int, to_step: str, reasons: str,
              version: int | None = None):
    """退回: send the case back to a named earlier step, with reasons; that step's group is
    asked again and every step after it will be asked anew."""
    def apply(item, session):
        target = session.scalar(select(WorkItem).where(
            WorkItem.case_id == item.case_id, WorkItem.step == to_step,
            WorkItem.id < item.id,
            WorkItem.status == rules.Status.COMPLETED.value,
            WorkItem.step_key.not_like("%~%")).order_by(WorkItem.id.desc()))
        if target is None:
            raise InvalidInput(f"'{to_step}' is not an earlier step of this case",
                               field="to_step")
        _rewind(session, actor, target=target, later=_later_items(session, target),
                acted=item, reopen_for=None, why=reasons)

    return act(db, actor, item_id, "return", version, apply, note=f"{to_step}: {reasons}")


def _later_items(session: Session, item: WorkItem) -> list[WorkItem]:
    return list(session.scalars(select(WorkItem).where(
        WorkItem.case_id == item.case_id, WorkItem.id > item.id,
        WorkItem.step_key.not_like("%~%")).order_by(WorkItem.id)))


def _rewind(session: Session, actor: Actor, *, target: WorkItem,
            later: list[WorkItem], acted: WorkItem, reopen_for: str | None,
            why: str) -> None:
    decided = [i for i in [target, *later] if i.decision]
    refusal = rules.rewind_refusal(
        [clock_effect(i.form, i.decision) for i in decided],
        stage_involved=any(i.stage_key for i in [target, *later]))
    if refusal:
        raise Conflict(refusal)
    for i in later:  # archived: the flow will ask these steps anew
        _changed(session, actor, i, acted, "work_item.archived", why,
                 status=rules.Status.WITHDRAWN if i.status not in FINAL_VALUES else i.status,
                 step_key=f"{i.step_key}~{target.id}.{i.id}")
    _changed(session, actor, target, acted, "work_item.reopened", why,
             status=rules.Status.CLAIMED if reopen_for else rules.Status.OPEN,
             assignee=reopen_for, decision=None, decided_by=None, completed_at=None)
    case = session.get(Case, target.case_id)
    outbox.start_run(session, case, "rewind", replacing=case.flow_run_id)


def _changed(session: Session, actor: Actor, item: WorkItem, acted: WorkItem,
             action: str, why: str, **values) -> None:
    """Change an item; audit it here unless it is the acted item (act audits that one)."""
    before = audit_view(item)
    set_fields(item, **values)
    if item is not acted:
        audit.record(session, actor, action=action, subject_type="work_item",
                     subject_id=item.id, before=before, after=audit_view(item), note=why)

