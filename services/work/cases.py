"""Cases: starting a process for a subject, reading it, and the steps its flow calls."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.calendar import WorkingCalendar, resumed_due_date
from policies.work_items import FINAL
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Forbidden, InvalidInput, NotFound
from services.platform.identity import org_path
from services.work import outbox, process_versions
from services.work.models import Case, Escalation, WorkItem


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    process: Literal["approval"] = "approval"
    service: Annotated[str, StringConstraints(pattern=r"^S\d{3}$")]
    station: Annotated[str, StringConstraints(pattern=r"^st-\d{2}$")]
    subject: str = Field(min_length=1, max_length=200)


class CaseRead(BaseModel):
    id: int
    process: str
    process_version: int
    status: str
    service: str | None
    department: str | None
    station: str | None
    subject: str
    due_on: date | None
    legal_due_on: date | None
    clock_suspended_on: date | None
    outcome: dict[str, Any] | None
    flow_run_id: str | None
    created_at: datetime


class WorkItemSummary(BaseModel):
    id: int
    step: str
    status: str
    candidate_group: str
    assignee: str | None
    due_on: date | None


class EscalationSummary(BaseModel):
    level: int
    name_zh: str
    notified: str
    applied_on: date


class CaseDetail(CaseRead):
    """The case as staff follow it: its steps so far and every escalation it received."""

    work_items: list[WorkItemSummary]
    escalations: list[EscalationSummary]


class CaseFacts(BaseModel):
    """What a flow needs to know of its case (ids and values, never ORM objects). Not the
    deadline: it moves, and a flow's cached facts would not; steps read it when they open."""

    id: int
    process: str
    department: str
    station: str
    service: str


def start_case(db: Database, calendar: WorkingCalendar, actor: Actor, data: CaseCreate,
               today: date) -> CaseRead:
    """Open a case and hand it to its process; the flow starts from the outbox after commit."""
    if not access.can_write(actor, ObjectScope(station=data.station)):
        raise Forbidden(f"{actor.username} does not act for station {data.station}")

    def work(uow) -> CaseRead:
        service = _known_service(uow.session, data)
        version = process_versions.current_version(uow.session, data.process)
        now = datetime.now(UTC)
        case = Case(
            process=data.process, process_version=version, status="in_progress",
            service_code=service.code, department_code=service.department_code,
            station_code=data.station, subject=data.subject, created_at=now, updated_at=now,
            due_on=calendar.add_working_days(today, service.promised_working_days),
            legal_due_on=calendar.add_working_days(today, service.legal_working_days))
        uow.session.add(case)
        uow.session.flush()
        audit.record(uow.session, actor, action="case.started", subject_type="case",
                     subject_id=case.id, after=_audit_view(case) | {"process": case.process})
        outbox.start_run(uow.session, case, "start")
        uow.commit()
        return _read(case)

    return db.run(work)


def get_case(db: Database, actor: Actor, case_id: int) -> CaseDetail:
    with db.reading() as uow:
        case = uow.session.get(Case, case_id)
        if case is None or not access.can_read(actor, scope_of(uow.session, case)):
            raise NotFound(f"no case {case_id}")
        items = uow.session.scalars(select(WorkItem).where(
            WorkItem.case_id == case_id).order_by(WorkItem.id))
        return CaseDetail(
            **_read(case).model_dump(),
            work_items=[WorkItemSummary.model_validate(i, from_attributes=True) for i in items],
            escalations=escalations_on(uow.session, case_id))


def escalations_on(session: Session, case_id: int) -> list[EscalationSummary]:
    rows = session.scalars(select(Escalation).where(
        Escalation.case_id == case_id).order_by(Escalation.id))
    return [EscalationSummary.model_validate(e, from_attributes=True) for e in rows]


def facts(db: Database, case_id: int) -> CaseFacts:
    with db.reading() as uow:
        case = uow.session.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        return CaseFacts(id=case.id, process=case.process, department=case.department_code,
                         station=case.station_code, service=case.service_code)


CLOCK_ACTIONS = {"suspend": "case.clock_suspended", "resume": "case.clock_resumed"}


def apply_clock(session: Session, calendar: WorkingCalendar, case_id: int,
                effect: str | None, today: date) -> None:
    """Stop or restart the case's clock inside the caller's transaction (audited)."""
    if effect is None:
        return
    case = session.get(Case, case_id)
    before = _audit_view(case)
    if effect == "suspend" and case.clock_suspended_on is None:
        case.clock_suspended_on = today
    elif effect == "resume" and case.clock_suspended_on is not None:
        case.due_on = resumed_due_date(calendar, case.due_on, case.clock_suspended_on, today)
        case.legal_due_on = resumed_due_date(calendar, case.legal_due_on,
                                             case.clock_suspended_on, today)
        case.clock_suspended_on = None
        sync_open_deadlines(session, case)
    if _audit_view(case) != before:
        case.updated_at = datetime.now(UTC)
        audit.record(session, process_actor(case.process), action=CLOCK_ACTIONS[effect],
                     subject_type="case", subject_id=case.id, before=before,
                     after=_audit_view(case))


def sync_open_deadlines(session: Session, case: Case) -> None:
    """Open steps that carry the case's deadline follow it when it moves."""
    for item in session.scalars(select(WorkItem).where(
            WorkItem.case_id == case.id, WorkItem.deadline_kind.is_not(None),
            WorkItem.status.not_in([s.value for s in FINAL]))):
        item.due_on = case.due_on


def finish(db: Database, case_id: int, status: str, outcome: dict[str, Any],
           today: date) -> None:
    """Record the case's end; a flow re-running this step changes nothing the second time.
    The case is locked first: two runs ending it at once (a re-driven run and the one it
    replaced, still in its last task) would otherwise both see it open, and both record and
    announce the end."""
    def work(uow):
        case = uow.session.get(Case, case_id, with_for_update=True)
        before = _audit_view(case)
        case.status, case.outcome = status, outcome
        case.finished_on = case.finished_on or today
        if _audit_view(case) != before:
            case.updated_at = datetime.now(UTC)
            audit.record(uow.session, process_actor(case.process), action=f"case.{status}",
                         subject_type="case", subject_id=case.id, before=before,
                         after=_audit_view(case))
            notify_ended(uow.session, case)
        uow.commit()

    db.run(work)


def notify_ended(session: Session, case: Case) -> None:
    """HC-03: the applicant hears how the case ended (once: callers notify on the change)."""
    if case.receipt_no is None:
        return
    outbox.notify(session, case_id=case.id, to=f"applicant:{case.receipt_no}",
                  subject=f"办理结果：{case.subject}",
                  body=f"您的申请（{case.receipt_no}）已办结：{case.status}。欢迎评价（好差评）。")


def process_actor(process: str) -> Actor:
    """The flow acts in the audit trail under the process's name."""
    return Actor(username=f"process:{process}", role=Role.ADMIN)


def _known_service(session: Session, data: CaseCreate) -> models.Service:
    service = session.get(models.Service, data.service)
    if service is None or not service.delegated:
        raise InvalidInput(f"no delegated service '{data.service}'", field="service")
    if session.get(models.Station, data.station) is None:
        raise InvalidInput(f"no station '{data.station}'", field="station")
    return service


def scope_of(session: Session, case: Case) -> ObjectScope:
    """Where a case belongs: its department, its station, the station's place in the org
    tree (so a street's secretary supervises the cases of every station in the street), and
    its applicant."""
    station = session.get(models.Station, case.station_code) if case.station_code else None
    unit = station and (station.community_code or station.street_code)
    unit = unit or unit_of(case)
    return ObjectScope(department=case.department_code, station=case.station_code,
                       org_units=org_path(session, unit), applicant_number=case.applicant_number)


def unit_of(case: Case) -> str | None:
    """A case raised in a unit of the org tree (a grid, a community) names it in its details
    as `org_unit`: its secretaries follow it, and escalations find them from there."""
    return (case.details or {}).get("org_unit")


def _read(case: Case) -> CaseRead:
    return CaseRead(
        id=case.id, process=case.process, process_version=case.process_version,
        status=case.status, service=case.service_code, department=case.department_code,
        station=case.station_code, subject=case.subject, due_on=case.due_on,
        legal_due_on=case.legal_due_on, clock_suspended_on=case.clock_suspended_on,
        outcome=case.outcome, flow_run_id=case.flow_run_id, created_at=case.created_at)


def _audit_view(case: Case) -> dict[str, Any]:
    return {"status": case.status, "due_on": case.due_on, "legal_due_on": case.legal_due_on,
            "clock_suspended_on": case.clock_suspended_on, "outcome": case.outcome}
