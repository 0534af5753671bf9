"""The deadline sweep: applies every escalation level that has come due, once.

Run on a schedule (flows/housekeeping/deadline_sweep.py). Each level applied to a work item is
a row with a unique (item, level), written with its audit event and its notification in one
transaction, so a second sweep — or two sweeps at once — applies nothing twice.
"""

from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from policies.access import Actor, Role
from policies.calendar import WorkingCalendar
from policies.escalation import Ladder, Level, Moment, due_levels
from policies.work_items import FINAL
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.work import cases, outbox
from services.work.models import Case, Escalation, WorkItem

SWEEPER = "process:deadline-sweep"


class Applied(BaseModel):
    work_item_id: int
    case_id: int
    level: int
    name_zh: str
    notified: str


def sweep(db: Database, calendar: WorkingCalendar, ladders: dict[str, Ladder], today: date,
          now: datetime | None = None) -> list[Applied]:
    """Apply what is due on `today` (working-day levels) and at `now` (minute levels)."""
    now = now or datetime.now(UTC)
    applied: list[Applied] = []
    for item_id in _waiting_items_with_ladders(db):
        try:
            applied += db.run(
                lambda uow, i=item_id: _escalate(uow, calendar, ladders, i, today, now))
        except IntegrityError:
            continue  # a concurrent sweep applied it first; nothing is lost or doubled
    return applied


def escalations_of(db: Database, case_id: int) -> list[Applied]:
    with db.reading() as uow:
        rows = uow.session.scalars(select(Escalation).where(
            Escalation.case_id == case_id).order_by(Escalation.id))
        return [Applied.model_validate(r, from_attributes=True) for r in rows]


def _waiting_items_with_ladders(db: Database) -> list[int]:
    with db.reading() as uow:
        return list(uow.session.scalars(select(WorkItem.id).where(
            WorkItem.ladder.is_not(None),
            WorkItem.status.not_in([s.value for s in FINAL]))))


def _escalate(uow, calendar: WorkingCalendar, ladders: dict[str, Ladder], item_id: int,
              today: date, now: datetime) -> list[Applied]:
    item = uow.session.get(WorkItem, item_id)
    case = uow.session.get(Case, item.case_id)
    if item.status in FINAL or case.clock_suspended_on is not None:
        return []  # decided meanwhile, or the clock stands still during a correction
    done = set(uow.session.scalars(select(Escalation.level).where(
        Escalation.work_item_id == item.id)))
    moment = Moment(today=today, now=now, due_on=item.due_on, opened_at=item.created_at)
    new = [lv for lv in due_levels(ladders[item.ladder], calendar, moment)
           if lv.level not in done]
    applied = [_apply(uow.session, item, case, lv, today) for lv in new]
    uow.commit()
    return applied


def _apply(session: Session, item: WorkItem, case: Case, level: Level,
           today: date) -> Applied:
    to = _recipient(session, level, item, case)
    row = Escalation(work_item_id=item.id, case_id=case.id, ladder=item.ladder,
                            level=level.level, name_zh=level.name_zh, notified=to,
                            due_on=item.due_on, applied_on=today, at=datetime.now(UTC))
    session.add(row)
    session.flush()
    audit.record(session, _sweeper(), action="work_item.escalated", subject_type="work_item",
                 subject_id=item.id, after={"level": level.level, "name_zh": level.name_zh,
                                            "notified": to, "due_on": item.due_on})
    outbox.notify(session, case_id=case.id, to=to, subject=f"{level.name_zh}: {item.title}",
                  body=f"办理期限 {item.due_on}，案件 {case.id}")
    return Applied.model_validate(row, from_attributes=True)


def _recipient(session: Session, level: Level, item: WorkItem, case: Case
               ) -> str:
    if level.notify.endswith("-secretary"):  # the secretary of that level above the case
        wanted = level.notify.removesuffix("-secretary")
        for code in cases.scope_of(session, case).org_units:
            if session.get(models.OrgUnit, code).level == wanted:
                return f"secretary:{code}"
        return "one-stop-centre"  # a case with no unit at that level goes to the centre
    kind, _, code = item.candidate_group.partition(":")
    department = code if kind == "department" else case.department_code
    return {"group": item.candidate_group,
            "department-head": f"head:{department}",  # the head of the late department
            "one-stop-centre": "one-stop-centre"}[level.notify]


def _sweeper() -> Actor:
    return Actor(username=SWEEPER, role=Role.ADMIN)
