"""Human tasks: opening them for a flow, the queue, and every operation people do on them.

Each operation is one transaction: load, ask policies/work_items.py, change, audit, commit.
Concurrent changes to one item are caught by its version (optimistic locking) and answered
with Conflict; a decision also writes the outbox message that resumes the waiting flow run.
"""

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from policies import processes
from policies import work_items as rules
from policies.access import Actor, Role
from policies.calendar import WorkingCalendar
from policies.decisions import FORMS, clock_effect
from services import audit, cases, outbox
from services.db import models
from services.db.uow import Database
from services.errors import Conflict, Forbidden, InvalidInput, NotFound

FINAL_VALUES = {s.value for s in rules.FINAL}


class WorkItemSpec(BaseModel):
    """What a flow asks for: a step of a case, for a group, decided on a form."""

    case_id: int
    step: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    attempt: int = Field(default=1, ge=1)
    title: str
    form: str
    candidate_group: str
    due: Literal["case", "none"] = "case"  # the case's deadline, or none (e.g. a correction)
    due_on: date | None = None  # a deadline of the step's own, instead of the case's
    deadline_kind: Literal["legal", "promised"] | None = "promised"
    ladder: str | None = "department-deadline"  # policies/data/escalation.yaml
    priority: int = Field(default=50, ge=0, le=100)
    flow_run_id: str | None = None

    @property
    def step_key(self) -> str:
        return f"{self.step}#{self.attempt}"


class StageSpec(BaseModel):
    """Several groups decide one step together: 会签 (all must sign) or 或签 (any may sign)."""

    case_id: int
    step: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    attempt: int = Field(default=1, ge=1)
    mode: Literal["all", "any"]
    title: str
    form: str
    groups: list[str] = Field(min_length=1)
    due: Literal["case", "none"] = "case"
    due_on_by_group: dict[str, date] = {}  # each group's own deadline, where it has one
    titles_by_group: dict[str, str] = {}
    ladder: str | None = "department-deadline"
    flow_run_id: str | None = None

    @property
    def stage_key(self) -> str:
        return f"{self.step}#{self.attempt}"

    def item(self, group: str) -> WorkItemSpec:
        return WorkItemSpec(case_id=self.case_id, step=self.step, attempt=self.attempt,
                            title=self.titles_by_group.get(group, self.title), form=self.form,
                            candidate_group=group, due=self.due,
                            due_on=self.due_on_by_group.get(group), ladder=self.ladder,
                            flow_run_id=self.flow_run_id)


class StageDecisions(BaseModel):
    """What resumes a flow waiting on a stage: each group's decision on the stage's form."""

    decisions: dict[str, dict[str, Any]]


class WorkItemRead(BaseModel):
    id: int
    case_id: int
    step: str
    title: str
    form: str
    candidate_group: str
    assignee: str | None
    owner: str | None
    status: rules.Status
    priority: int
    due_on: date | None
    follow_up_on: date | None
    deadline_kind: str | None
    decision: dict[str, Any] | None
    decided_by: str | None
    version: int
    created_at: datetime
    completed_at: datetime | None


class QueueFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_group: str | None = None
    assignee: str | None = None
    status: rules.Status | None = None
    due_before: date | None = None


def pause_key(item_id: int) -> str:
    return f"work-item-{item_id}"


def stage_pause_key(case_id: int, stage_key: str) -> str:
    return f"stage-{case_id}-{stage_key.replace('#', '-')}"


def open_item(db: Database, spec: WorkItemSpec) -> WorkItemRead:
    """Open the item, or return the one already opened for this step and attempt: a flow that
    re-runs after a resume (or a new run that took a case over) asks again and gets the same
    item, now pointing at the asking run; a completed one carries its decision for replay."""
    _check_form(spec.form)

    def work(uow) -> WorkItemRead:
        item = _open(uow.session, spec, step_key=spec.step_key)
        uow.commit()
        return _read(item)

    return db.run(work)


def open_stage(db: Database, stage: StageSpec) -> list[WorkItemRead]:
    _check_form(stage.form)

    def work(uow) -> list[WorkItemRead]:
        items = [_open(uow.session, stage.item(group), step_key=f"{stage.stage_key}@{group}",
                       stage_key=stage.stage_key, stage_mode=stage.mode)
                 for group in stage.groups]
        uow.commit()
        return [_read(i) for i in items]

    return db.run(work)


def stage_result(db: Database, case_id: int, stage_key: str) -> StageDecisions | None:
    """The stage's decisions if its quorum is reached (replay for a re-driven run)."""
    with db.reading() as uow:
        return _quorum(_stage_items(uow.session, case_id, stage_key, lock=False))


def _check_form(form: str) -> None:
    if form not in FORMS:
        raise InvalidInput(f"unknown form '{form}'", field="form")


def _open(session: Session, spec: WorkItemSpec, *, step_key: str,
          stage_key: str | None = None, stage_mode: str | None = None) -> models.WorkItem:
    existing = session.scalar(select(models.WorkItem).where(
        models.WorkItem.case_id == spec.case_id, models.WorkItem.step_key == step_key))
    if existing:
        if existing.status not in FINAL_VALUES and spec.flow_run_id:
            existing.flow_run_id = spec.flow_run_id
        return existing
    case = session.get(models.Case, spec.case_id)
    item = models.WorkItem(
        **spec.model_dump(exclude={"attempt", "due", "due_on"}), step_key=step_key,
        due_on=spec.due_on or (case.due_on if spec.due == "case" else None),
        status=rules.Status.OPEN.value,
        stage_key=stage_key, stage_mode=stage_mode, created_at=datetime.now(UTC))
    session.add(item)
    session.flush()
    audit.record(session, cases.process_actor(case.process), action="work_item.opened",
                 subject_type="work_item", subject_id=item.id, after=_audit_view(item))
    return item


def queue(db: Database, actor: Actor, f: QueueFilter, *, limit: int, offset: int
          ) -> list[WorkItemRead]:
    stmt = select(models.WorkItem).order_by(models.WorkItem.due_on.is_(None),
                                            models.WorkItem.due_on, models.WorkItem.id)
    for column, value in [(models.WorkItem.candidate_group, f.candidate_group),
                          (models.WorkItem.assignee, f.assignee),
                          (models.WorkItem.status, f.status and f.status.value)]:
        if value is not None:
            stmt = stmt.where(column == value)
    if f.due_before:
        stmt = stmt.where(models.WorkItem.due_on < f.due_before)
    stmt = stmt.where(_visible_to(actor))
    with db.reading() as uow:
        return [_read(i) for i in uow.session.scalars(stmt.limit(limit).offset(offset))]


def get(db: Database, actor: Actor, item_id: int) -> WorkItemRead:
    with db.reading() as uow:
        return _read(_load_visible(uow.session, actor, item_id))


def history(db: Database, actor: Actor, item_id: int) -> list[dict[str, Any]]:
    """Who did what to the item, from the audit trail (the one record of changes)."""
    with db.reading() as uow:
        _load_visible(uow.session, actor, item_id)
        events = uow.session.scalars(audit.query(subject_type="work_item",
                                                 subject_id=str(item_id), limit=500))
        return [{"at": e.at, "actor": e.actor, "action": e.action, "note": e.note,
                 "after": e.after} for e in events]


def claim(db: Database, actor: Actor, item_id: int, version: int | None = None):
    return _act(db, actor, item_id, "claim", version,
                lambda item, _: _set(item, status=rules.Status.CLAIMED, assignee=actor.username))


def unclaim(db: Database, actor: Actor, item_id: int, version: int | None = None):
    return _act(db, actor, item_id, "unclaim", version,
                lambda item, _: _set(item, status=rules.Status.OPEN, assignee=None))


def assign(db: Database, actor: Actor, item_id: int, assignee: str, version: int | None = None):
    """转办: hand the item to another person of its group."""
    def apply(item, session):
        _require_member(session, assignee, item.candidate_group, "assignee")
        _set(item, status=rules.Status.CLAIMED, assignee=assignee)

    return _act(db, actor, item_id, "assign", version, apply, note=f"to {assignee}")


def delegate(db: Database, actor: Actor, item_id: int, delegate_to: str,
             version: int | None = None):
    """委派: lend the item to a colleague; their answer comes back to the owner."""
    def apply(item, session):
        _require_member(session, delegate_to, item.candidate_group, "delegate")
        _set(item, status=rules.Status.DELEGATED, owner=actor.username, assignee=delegate_to)

    return _act(db, actor, item_id, "delegate", version, apply, note=f"to {delegate_to}")


def resolve(db: Database, actor: Actor, item_id: int, answer: str, version: int | None = None):
    return _act(db, actor, item_id, "resolve", version,
                lambda item, _: _set(item, status=rules.Status.CLAIMED, assignee=item.owner,
                                     owner=None), note=answer)


def urge(db: Database, actor: Actor, item_id: int, message: str):
    """催办: recorded on the item's history; its group is notified through the outbox."""
    def apply(item, session):
        outbox.add(session, outbox.NOTIFY, {"to": item.assignee or item.candidate_group,
                                            "subject": f"催办: {item.title}", "body": message})

    return _act(db, actor, item_id, "urge", None, apply, note=message)


def decide(db: Database, calendar: WorkingCalendar, actor: Actor, item_id: int,
           payload: dict[str, Any], today: date, version: int | None = None) -> WorkItemRead:
    """Complete the item with a decision on its form; the waiting flow run is resumed with it.
    A return for correction stops the case's clock and the correction restarts it, in this
    same transaction, so a flow that re-runs never applies them twice."""
    def apply(item, session):
        decision = _validated(item.form, payload)
        if item.stage_key and clock_effect(item.form, decision) == "suspend":
            _pause_for_correction(session, actor, item, decision)
            return
        _set(item, status=rules.Status.COMPLETED, assignee=actor.username, decision=decision,
             decided_by=actor.username, completed_at=datetime.now(UTC))
        cases.apply_clock(session, calendar, item.case_id,
                          clock_effect(item.form, decision), today)
        if item.stage_key:
            _close_stage_if_complete(session, actor, item)
        elif item.flow_run_id:
            _resume(session, item.flow_run_id, pause_key(item.id), decision)

    return _act(db, actor, item_id, "decide", version, apply)


def add_signer(db: Database, actor: Actor, item_id: int, group: str,
               position: Literal["before", "after"], version: int | None = None):
    """加签: add a signer to the item's 会签 stage; one added before must sign first."""
    def apply(item, session):
        step_key = f"{item.stage_key}@{group}"
        if session.scalar(select(models.WorkItem).where(
                models.WorkItem.case_id == item.case_id, models.WorkItem.step_key == step_key)):
            raise Conflict(f"{group} already signs this stage")
        spec = WorkItemSpec(case_id=item.case_id, step=item.step, title=item.title,
                            form=item.form, candidate_group=group, ladder=item.ladder,
                            flow_run_id=item.flow_run_id)
        added = _open(session, spec, step_key=step_key, stage_key=item.stage_key,
                      stage_mode=item.stage_mode)
        added.due_on = item.due_on
        if position == "before":
            item.waits_for = added.id

    return _act(db, actor, item_id, "add-signer", version, apply, note=f"{position}: {group}")


def withdraw(db: Database, actor: Actor, item_id: int, version: int | None = None):
    """撤回: take one's own decision back while nobody has acted on what followed; the case
    goes back to this step, which waits for the decider again."""
    def apply(item, session):
        later = _later_items(session, item)
        if not rules.untouched([_view(i) for i in later]):
            raise Conflict("the next person has already acted on the case; the decision stands")
        _rewind(session, actor, target=item, later=later, acted=item, reopen_for=actor.username,
                why="撤回")

    return _act(db, actor, item_id, "withdraw", version, apply)


def return_to(db: Database, actor: Actor, item_id: int, to_step: str, reasons: str,
              version: int | None = None):
    """退回: send the case back to a named earlier step, with reasons; that step's group is
    asked again and every step after it will be asked anew."""
    def apply(item, session):
        target = session.scalar(select(models.WorkItem).where(
            models.WorkItem.case_id == item.case_id, models.WorkItem.step == to_step,
            models.WorkItem.id < item.id,
            models.WorkItem.status == rules.Status.COMPLETED.value,
            models.WorkItem.step_key.not_like("%~%")).order_by(models.WorkItem.id.desc()))
        if target is None:
            raise InvalidInput(f"'{to_step}' is not an earlier step of this case",
                               field="to_step")
        _rewind(session, actor, target=target, later=_later_items(session, target),
                acted=item, reopen_for=None, why=reasons)

    return _act(db, actor, item_id, "return", version, apply, note=f"{to_step}: {reasons}")


def _later_items(session: Session, item: models.WorkItem) -> list[models.WorkItem]:
    return list(session.scalars(select(models.WorkItem).where(
        models.WorkItem.case_id == item.case_id, models.WorkItem.id > item.id,
        models.WorkItem.step_key.not_like("%~%")).order_by(models.WorkItem.id)))


def _rewind(session: Session, actor: Actor, *, target: models.WorkItem,
            later: list[models.WorkItem], acted: models.WorkItem, reopen_for: str | None,
            why: str) -> None:
    decided = [i for i in [target, *later] if i.decision]
    refusal = rules.rewind_refusal(
        [_view(i) for i in later], [clock_effect(i.form, i.decision) for i in decided],
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
    case = session.get(models.Case, target.case_id)
    outbox.add(session, outbox.RESTART, {
        "old_flow_run_id": case.flow_run_id, "parameters": {"case_id": case.id},
        "deployment": processes.deployment_of(case.process, case.process_version),
        "idempotency_key": outbox.start_key(case.id, "rewind")})


def _changed(session: Session, actor: Actor, item: models.WorkItem, acted: models.WorkItem,
             action: str, why: str, **values) -> None:
    """Change an item; audit it here unless it is the acted item (_act audits that one)."""
    before = _audit_view(item)
    _set(item, **values)
    if item is not acted:
        audit.record(session, actor, action=action, subject_type="work_item",
                     subject_id=item.id, before=before, after=_audit_view(item), note=why)


def _pause_for_correction(session: Session, actor: Actor, item: models.WorkItem,
                          decision: dict) -> None:
    """A return for correction inside a stage pauses only this group's item: it waits for the
    applicant's correction (at the filing station) and opens again; the others go on."""
    case = session.get(models.Case, item.case_id)
    corrections = "、".join(decision["corrections"])
    fix = _open(session, WorkItemSpec(
        case_id=case.id, step="correction", title=f"补正材料（{item.title}）：{corrections}",
        form="correction", candidate_group=rules.group_of("station", case.station_code),
        due="none", deadline_kind=None, ladder=None),
        step_key=f"correction@{item.id}.{item.version}")
    _set(item, status=rules.Status.OPEN, assignee=None, waits_for=fix.id)
    audit.record(session, actor, action="work_item.returned_for_correction",
                 subject_type="work_item", subject_id=item.id, after=decision,
                 note=f"补正待办 {fix.id}")


def _close_stage_if_complete(session: Session, actor: Actor, item: models.WorkItem) -> None:
    items = _stage_items(session, item.case_id, item.stage_key)
    result = _quorum(items)
    if result is None:
        return
    for other in items:
        if other.status not in FINAL_VALUES:  # 或签: the others are no longer needed
            before = _audit_view(other)
            other.status = rules.Status.WITHDRAWN.value
            audit.record(session, actor, action="work_item.withdrawn", subject_type="work_item",
                         subject_id=other.id, before=before, after=_audit_view(other),
                         note=f"或签: decided by {actor.username}")
    if item.flow_run_id:
        _resume(session, item.flow_run_id, stage_pause_key(item.case_id, item.stage_key),
                result.model_dump())


def _stage_items(session: Session, case_id: int, stage_key: str, lock: bool = True
                 ) -> list[models.WorkItem]:
    # Locked in one order, so two decisions on one stage at the same instant queue up and the
    # second one sees the first: the quorum is never missed nor reached twice.
    stmt = (select(models.WorkItem).where(models.WorkItem.case_id == case_id,
                                          models.WorkItem.stage_key == stage_key)
            .order_by(models.WorkItem.id).execution_options(populate_existing=True))
    return list(session.scalars(stmt.with_for_update() if lock else stmt))


def _quorum(items: list[models.WorkItem]) -> StageDecisions | None:
    if not items or not rules.stage_complete(items[0].stage_mode,
                                             [rules.Status(i.status) for i in items]):
        return None
    return StageDecisions(decisions={i.candidate_group: i.decision for i in items
                                     if i.status == rules.Status.COMPLETED.value})


def _resume(session: Session, flow_run_id: str, key: str, run_input: dict[str, Any]) -> None:
    outbox.add(session, outbox.RESUME, {"flow_run_id": flow_run_id, "pause_key": key,
                                        "run_input": run_input})


def _act(db: Database, actor: Actor, item_id: int, operation: str, version: int | None,
         apply, note: str | None = None) -> WorkItemRead:
    def work(uow) -> WorkItemRead:
        item = _load_visible(uow.session, actor, item_id)
        if item.stage_key:
            _stage_items(uow.session, item.case_id, item.stage_key)  # lock, and re-read
        if version is not None and item.version != version:
            raise Conflict(f"the work item changed (version {item.version}, not {version}); "
                           "reload it")
        reason = rules.refusal(operation, actor, _view(item, uow.session))
        if reason:
            raise (Forbidden if actor.role is Role.AUDITOR else Conflict)(reason)
        before = _audit_view(item)
        apply(item, uow.session)
        uow.session.flush()
        audit.record(uow.session, actor, action=f"work_item.{operation}",
                     subject_type="work_item", subject_id=item.id, before=before,
                     after=_audit_view(item), note=note)
        uow.commit()
        return _read(item)

    try:
        return db.run(work)
    except StaleDataError:
        raise Conflict("someone else changed the work item at the same moment; reload it"
                       ) from None


def _set(item: models.WorkItem, **values) -> None:
    for name, value in values.items():
        setattr(item, name, value.value if isinstance(value, rules.Status) else value)


def _validated(form: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return FORMS[form].model_validate(payload).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "decision"
        raise InvalidInput(first["msg"].removeprefix("Value error, "), field=field) from None


def _require_member(session: Session, username: str, group: str, field: str) -> None:
    user = session.scalar(select(models.User).where(models.User.username == username))
    if user is None or not user.active or not rules.in_group(_as_actor(user), group):
        raise InvalidInput(f"'{username}' is not an active member of {group}", field=field)


def _as_actor(user: models.User) -> Actor:
    return Actor(username=user.username, role=Role(user.role), department=user.department_code,
                 station=user.station_code, org_unit=user.org_unit_code)


def _load_visible(session: Session, actor: Actor, item_id: int) -> models.WorkItem:
    item = session.get(models.WorkItem, item_id)
    if item is None or not rules.may_see(actor, _view(item), _case_scope(session, item)):
        raise NotFound(f"no work item {item_id}")
    return item


def _case_scope(session: Session, item: models.WorkItem):
    return cases.scope_of(session, session.get(models.Case, item.case_id))


def _visible_to(actor: Actor):
    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return True
    groups = [g for g in (actor.department and rules.group_of("department", actor.department),
                          actor.station and rules.group_of("station", actor.station),
                          actor.org_unit and rules.group_of("org", actor.org_unit)) if g]
    return (models.WorkItem.candidate_group.in_(groups)
            | (models.WorkItem.assignee == actor.username)
            | (models.WorkItem.owner == actor.username))


def _view(item: models.WorkItem, session: Session | None = None) -> rules.ItemView:
    blocked = False
    if item.waits_for and session is not None:
        blocker = session.get(models.WorkItem, item.waits_for)
        blocked = blocker.status != rules.Status.COMPLETED.value
    return rules.ItemView(status=rules.Status(item.status), candidate_group=item.candidate_group,
                          assignee=item.assignee, owner=item.owner, stage_mode=item.stage_mode,
                          blocked=blocked, decided_by=item.decided_by)


def _read(item: models.WorkItem) -> WorkItemRead:
    return WorkItemRead.model_validate(item, from_attributes=True)


def _audit_view(item: models.WorkItem) -> dict[str, Any]:
    return {"status": item.status, "assignee": item.assignee, "owner": item.owner,
            "candidate_group": item.candidate_group, "due_on": item.due_on,
            "decision": item.decision}

