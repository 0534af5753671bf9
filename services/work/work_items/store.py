"""What every work-item operation shares: one transaction per operation (load, ask
policies/work_items.py, change, audit, commit), optimistic locking, views of an item."""

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from policies import work_items as rules
from policies.access import Actor, Role
from policies.decisions import FORMS
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.work import cases, outbox
from services.work.models import Case, WorkItem
from services.work.work_items.schemas import WorkItemRead, WorkItemSpec

FINAL_VALUES = {s.value for s in rules.FINAL}


def check_form(form: str) -> None:
    if form not in FORMS:
        raise InvalidInput(f"unknown form '{form}'", field="form")


def open_step(session: Session, spec: WorkItemSpec, *, step_key: str,
          stage_key: str | None = None, stage_mode: str | None = None) -> WorkItem:
    existing = session.scalar(select(WorkItem).where(
        WorkItem.case_id == spec.case_id, WorkItem.step_key == step_key))
    if existing:
        if existing.status not in FINAL_VALUES and spec.flow_run_id:
            existing.flow_run_id = spec.flow_run_id
        return existing
    case = session.get(Case, spec.case_id)
    item = WorkItem(
        **spec.model_dump(exclude={"attempt", "due", "due_on"}), step_key=step_key,
        due_on=spec.due_on or (case.due_on if spec.due == "case" else None),
        status=rules.Status.OPEN.value,
        stage_key=stage_key, stage_mode=stage_mode, created_at=datetime.now(UTC))
    session.add(item)
    session.flush()
    audit.record(session, cases.process_actor(case.process), action="work_item.opened",
                 subject_type="work_item", subject_id=item.id, after=audit_view(item))
    return item


def act(db: Database, actor: Actor, item_id: int, operation: str, version: int | None,
        apply, note: str | None = None) -> WorkItemRead:
    def work(uow) -> WorkItemRead:
        item = load_visible(uow.session, actor, item_id)
        if item.stage_key:
            stage_items(uow.session, item.case_id, item.stage_key)  # lock, and re-read
        if version is not None and item.version != version:
            raise Conflict(f"the work item changed (version {item.version}, not {version}); "
                           "reload it")
        reason = rules.refusal(operation, actor, view_of(item, uow.session))
        if reason:
            raise (Forbidden if actor.role is Role.AUDITOR else Conflict)(reason)
        before = audit_view(item)
        apply(item, uow.session)
        uow.session.flush()
        audit.record(uow.session, actor, action=f"work_item.{operation}",
                     subject_type="work_item", subject_id=item.id, before=before,
                     after=audit_view(item), note=note)
        uow.commit()
        return read_model(item)

    try:
        return db.run(work)
    except StaleDataError:
        raise Conflict("someone else changed the work item at the same moment; reload it"
                       ) from None


def stage_items(session: Session, case_id: int, stage_key: str, lock: bool = True
                 ) -> list[WorkItem]:
    # Locked in one order, so two decisions on one stage at the same instant queue up and the
    # second one sees the first: the quorum is never missed nor reached twice.
    stmt = (select(WorkItem).where(WorkItem.case_id == case_id,
                                          WorkItem.stage_key == stage_key)
            .order_by(WorkItem.id).execution_options(populate_existing=True))
    return list(session.scalars(stmt.with_for_update() if lock else stmt))


def resume(session: Session, flow_run_id: str, key: str, run_input: dict[str, Any]) -> None:
    outbox.add(session, outbox.RESUME, {"flow_run_id": flow_run_id, "pause_key": key,
                                        "run_input": run_input})


def set_fields(item: WorkItem, **values) -> None:
    for name, value in values.items():
        setattr(item, name, value.value if isinstance(value, rules.Status) else value)


def validated(form: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return FORMS[form].model_validate(payload).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "decision"
        raise InvalidInput(first["msg"].removeprefix("Value error, "), field=field) from None


def require_member(session: Session, username: str, group: str, field: str) -> None:
    user = session.scalar(select(models.User).where(models.User.username == username))
    if user is None or not user.active or not rules.in_group(as_actor(user), group):
        raise InvalidInput(f"'{username}' is not an active member of {group}", field=field)


def as_actor(user: models.User) -> Actor:
    return Actor(username=user.username, role=Role(user.role), department=user.department_code,
                 station=user.station_code, org_unit=user.org_unit_code)


def load_visible(session: Session, actor: Actor, item_id: int) -> WorkItem:
    item = session.get(WorkItem, item_id)
    if item is None or not rules.may_see(actor, view_of(item), case_scope(session, item)):
        raise NotFound(f"no work item {item_id}")
    return item


def case_scope(session: Session, item: WorkItem):
    return cases.scope_of(session, session.get(Case, item.case_id))


def visible_to(actor: Actor):
    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return True
    groups = [g for g in (actor.department and rules.group_of("department", actor.department),
                          actor.station and rules.group_of("station", actor.station),
                          actor.org_unit and rules.group_of("org", actor.org_unit)) if g]
    return (WorkItem.candidate_group.in_(groups)
            | (WorkItem.assignee == actor.username)
            | (WorkItem.owner == actor.username))


def view_of(item: WorkItem, session: Session | None = None) -> rules.ItemView:
    blocked = False
    if item.waits_for and session is not None:
        blocker = session.get(WorkItem, item.waits_for)
        blocked = blocker.status != rules.Status.COMPLETED.value
    return rules.ItemView(status=rules.Status(item.status), candidate_group=item.candidate_group,
                          assignee=item.assignee, owner=item.owner, stage_mode=item.stage_mode,
                          blocked=blocked, decided_by=item.decided_by)


def read_model(item: WorkItem) -> WorkItemRead:
    return WorkItemRead.model_validate(item, from_attributes=True)


def audit_view(item: WorkItem) -> dict[str, Any]:
    return {"status": item.status, "assignee": item.assignee, "owner": item.owner,
            "candidate_group": item.candidate_group, "due_on": item.due_on,
            "decision": item.decision}

