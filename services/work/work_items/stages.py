"""会签 (all must sign), 或签 (any may sign), 加签 (add a signer), and a return for correction
inside a stage, which pauses only that group's item while the others go on."""

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import work_items as rules
from policies.access import Actor
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict
from services.work.models import Case, WorkItem
from services.work.work_items.schemas import (
    StageDecisions,
    StageSpec,
    WorkItemRead,
    WorkItemSpec,
    stage_pause_key,
)
from services.work.work_items.store import (
    FINAL_VALUES,
    act,
    audit_view,
    check_form,
    open_step,
    read_model,
    resume,
    set_fields,
    stage_items,
)


def open_stage(db: Database, stage: StageSpec) -> list[WorkItemRead]:
    check_form(stage.form)

    def work(uow) -> list[WorkItemRead]:
        items = [open_step(uow.session, stage.item(group),
                           step_key=f"{stage.stage_key}@{group}", stage_key=stage.stage_key,
                           stage_mode=stage.mode)
                 for group in stage.groups]
        uow.commit()
        return [read_model(i) for i in items]

    return db.run(work)


def stage_result(db: Database, case_id: int, stage_key: str) -> StageDecisions | None:
    """The stage's decisions if its quorum is reached (replay for a re-driven run)."""
    with db.reading() as uow:
        return _quorum(stage_items(uow.session, case_id, stage_key, lock=False))


def add_signer(db: Database, actor: Actor, item_id: int, group: str,
               position: Literal["before", "after"], version: int | None = None):
    """加签: add a signer to the item's 会签 stage; one added before must sign first."""
    def apply(item, session):
        step_key = f"{item.stage_key}@{group}"
        if session.scalar(select(WorkItem).where(
                WorkItem.case_id == item.case_id, WorkItem.step_key == step_key)):
            raise Conflict(f"{group} already signs this stage")
        spec = WorkItemSpec(case_id=item.case_id, step=item.step, title=item.title,
                            form=item.form, candidate_group=group, ladder=item.ladder,
                            flow_run_id=item.flow_run_id)
        added = open_step(session, spec, step_key=step_key, stage_key=item.stage_key,
                          stage_mode=item.stage_mode)
        added.due_on = item.due_on
        if position == "before":
            item.waits_for = added.id

    return act(db, actor, item_id, "add-signer", version, apply, note=f"{position}: {group}")


def pause_for_correction(session: Session, actor: Actor, item: WorkItem,
                          decision: dict) -> None:
    """A return for correction inside a stage pauses only this group's item: it waits for the
    applicant's correction (at the filing station) and opens again; the others go on."""
    case = session.get(Case, item.case_id)
    corrections = "、".join(decision["corrections"])
    fix = open_step(session, WorkItemSpec(
        case_id=case.id, step="correction", title=f"补正材料（{item.title}）：{corrections}",
        form="correction", candidate_group=rules.group_of("station", case.station_code),
        due="none", deadline_kind=None, ladder=None),
        step_key=f"correction@{item.id}.{item.version}")
    set_fields(item, status=rules.Status.OPEN, assignee=None, waits_for=fix.id)
    audit.record(session, actor, action="work_item.returned_for_correction",
                 subject_type="work_item", subject_id=item.id, after=decision,
                 note=f"补正待办 {fix.id}")


def close_stage_if_complete(session: Session, actor: Actor, item: WorkItem) -> None:
    items = stage_items(session, item.case_id, item.stage_key)
    result = _quorum(items)
    if result is None:
        return
    for other in items:
        if other.status not in FINAL_VALUES:  # 或签: the others are no longer needed
            before = audit_view(other)
            other.status = rules.Status.WITHDRAWN.value
            audit.record(session, actor, action="work_item.withdrawn", subject_type="work_item",
                         subject_id=other.id, before=before, after=audit_view(other),
                         note=f"或签: decided by {actor.username}")
    if item.flow_run_id:
        resume(session, item.flow_run_id, stage_pause_key(item.case_id, item.stage_key),
                result.model_dump())


def _quorum(items: list[WorkItem]) -> StageDecisions | None:
    if not items or not rules.stage_complete(items[0].stage_mode,
                                             [rules.Status(i.status) for i in items]):
        return None
    return StageDecisions(decisions={i.candidate_group: i.decision for i in items
                                     if i.status == rules.Status.COMPLETED.value})

