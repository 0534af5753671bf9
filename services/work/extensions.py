"""Extending a case's promised deadline: requested by the deciding department, approved by a
supervisor (a secretary over the case's area, or an administrator), never past the legal limit.
"""

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from policies import access
from policies.access import Actor, Role
from policies.calendar import WorkingCalendar
from policies.deadlines import extension_approval_refusal, extension_problem
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.work import cases, outbox
from services.work.models import Case, DeadlineExtension


class ExtensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    working_days: int = Field(ge=1, le=60)
    reasons: str = Field(min_length=1, max_length=2000)


class ExtensionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: str | None = Field(default=None, max_length=2000)


class ExtensionRead(BaseModel):
    id: int
    case_id: int
    working_days: int
    reasons: str
    status: str
    requested_by: str
    decided_by: str | None
    note: str | None
    due_before: str | None
    due_after: str | None


def request(db: Database, calendar: WorkingCalendar, actor: Actor, case_id: int,
            data: ExtensionCreate) -> ExtensionRead:
    def work(uow) -> ExtensionRead:
        case = _case(uow.session, actor, case_id)
        if actor.role is not Role.OFFICER or actor.department != case.department_code:
            raise Forbidden("the deciding department's officers request extensions")
        _check(calendar, case, data.working_days)
        row = DeadlineExtension(case_id=case.id, working_days=data.working_days,
                                       reasons=data.reasons, status="pending",
                                       requested_by=actor.username, at=datetime.now(UTC))
        uow.session.add(row)
        uow.session.flush()
        audit.record(uow.session, actor, action="case.extension_requested", subject_type="case",
                     subject_id=case.id, after={"extension": row.id,
                                                "working_days": data.working_days},
                     note=data.reasons)
        outbox.notify(
            uow.session, case_id=case.id, to=f"supervisors:{case.station_code}",
            subject=f"延期申请: 案件 {case.id}",
            body=f"{actor.username} 申请延长 {data.working_days} 个工作日：{data.reasons}")
        uow.commit()
        return _read(row)

    return db.run(work)


def decide(db: Database, calendar: WorkingCalendar, actor: Actor, case_id: int,
           extension_id: int, data: ExtensionDecision) -> ExtensionRead:
    def work(uow) -> ExtensionRead:
        case = _case(uow.session, actor, case_id)
        row = uow.session.get(DeadlineExtension, extension_id)
        if row is None or row.case_id != case.id:
            raise NotFound(f"no extension {extension_id} on case {case_id}")
        refusal = extension_approval_refusal(row.requested_by, actor)
        if refusal:
            raise Forbidden(refusal)
        if row.status != "pending":
            raise Conflict(f"the extension is {row.status} already")
        if data.approve:
            row.due_before = case.due_on
            row.due_after = _check(calendar, case, row.working_days)
            case.due_on = row.due_after
            cases.sync_open_deadlines(uow.session, case)
        row.status = "approved" if data.approve else "refused"
        row.decided_by, row.note = actor.username, data.note
        audit.record(uow.session, actor, action=f"case.extension_{row.status}",
                     subject_type="case", subject_id=case.id,
                     before={"due_on": row.due_before}, after={"due_on": case.due_on},
                     note=data.note)
        uow.commit()
        return _read(row)

    return db.run(work)


def _case(session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not access.can_read(actor, cases.scope_of(session, case)):
        raise NotFound(f"no case {case_id}")
    if actor.role is Role.AUDITOR:
        raise Forbidden("an auditor changes nothing")
    if case.status != "in_progress":
        raise Conflict(f"the case is {case.status}; its deadline no longer runs")
    return case


def _check(calendar: WorkingCalendar, case: Case, working_days: int):
    extended_to = calendar.add_working_days(case.due_on, working_days)
    problem = extension_problem(case.due_on, case.legal_due_on, extended_to)
    if problem:
        raise InvalidInput(problem, field="working_days")
    return extended_to


def _read(row: DeadlineExtension) -> ExtensionRead:
    return ExtensionRead(
        id=row.id, case_id=row.case_id, working_days=row.working_days, reasons=row.reasons,
        status=row.status, requested_by=row.requested_by, decided_by=row.decided_by,
        note=row.note, due_before=row.due_before and row.due_before.isoformat(),
        due_after=row.due_after and row.due_after.isoformat())
