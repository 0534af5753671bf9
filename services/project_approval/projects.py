"""Parallel project approval (HC-14b): opening a project case and following it."""

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.calendar import WorkingCalendar
from policies.decisions import ApprovalDecision, final_status
from policies.project_approval.projects import ApprovalPlan, project_outcome
from services.platform import audit, documents, idempotency
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Forbidden, InvalidInput, NotFound
from services.platform.validation import CreditCode
from services.project_approval.models import JointReview
from services.work import cases, outbox, process_versions
from services.work.models import Case, WorkItem

TEMPLATES = documents.Templates("services.project_approval")

PROCESS = "project-approval"


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise: str = Field(min_length=2, max_length=200)
    credit_code: CreditCode
    project: str = Field(min_length=2, max_length=200)
    land_contract_no: str = Field(min_length=4, max_length=64)
    station: str = Field(pattern=r"^st-\d{2}$")
    agent: str | None = Field(default=None, max_length=64,
                              description="the service specialist filing for the enterprise")


class ApprovalStatus(BaseModel):
    code: str
    name_zh: str
    department: str
    status: str  # not-open, open, claimed, approved, rejected, waiting-for-correction
    due_on: date | None
    decided_by: str | None
    work_item_id: int | None


class ProjectRead(BaseModel):
    id: int
    enterprise: str
    project: str
    status: str
    accepted_on: date
    commitment_due_on: date
    commitment_working_days: int
    elapsed_working_days: int
    approvals: list[ApprovalStatus]
    critical_path: list[str]
    waiting_on: list[str]
    escalations: list[cases.EscalationSummary]
    joint_reviews: list["JointReviewRead"]
    flow_run_id: str | None
    process_version: int


def start_project(db: Database, calendar: WorkingCalendar, plan: ApprovalPlan, actor: Actor,
                  data: ProjectCreate, today: date, idempotency_key: str | None = None
                  ) -> ProjectRead:
    """Open the project's case; a retry with the same Idempotency-Key (the answer was lost:
    a replica died, a connection broke) gets the project the first request opened."""
    if not access.can_write(actor, ObjectScope(station=data.station)):
        raise Forbidden(f"{actor.username} does not act for station {data.station}")
    hashed = idempotency.request_hash(data)

    def work(uow) -> int:
        if uow.session.get(models.Station, data.station) is None:
            raise InvalidInput(f"no station '{data.station}'", field="station")
        if idempotency_key and (earlier := idempotency.earlier_case(
                uow.session, idempotency_key, actor.username, hashed)) is not None:
            return earlier
        now = datetime.now(UTC)
        version = process_versions.current_version(uow.session, PROCESS)
        case = Case(
            process=PROCESS, process_version=version, status="in_progress",
            station_code=data.station, subject=f"{data.enterprise}：{data.project}",
            details=data.model_dump() | {"filed_by": actor.username}, accepted_on=today,
            due_on=calendar.add_working_days(today, plan.commitment_working_days),
            created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        audit.record(uow.session, actor, action="case.started", subject_type="case",
                     subject_id=case.id, after={"process": PROCESS, "due_on": case.due_on})
        outbox.start_run(uow.session, case, "start")
        if idempotency_key:
            idempotency.remember(uow.session, idempotency_key, actor.username, hashed, case.id)
        uow.commit()
        return case.id

    case_id = idempotency.run_once(db, idempotency_key, work)
    return get_project(db, calendar, plan, actor, case_id, today)


def get_project(db: Database, calendar: WorkingCalendar, plan: ApprovalPlan, actor: Actor,
                case_id: int, today: date) -> ProjectRead:
    with db.reading() as uow:
        case = uow.session.get(Case, case_id)
        if case is None or case.process != PROCESS or not _may_read(uow.session, actor,
                                                                     case, plan):
            raise NotFound(f"no project {case_id}")
        items = list(uow.session.scalars(select(WorkItem).where(
            WorkItem.case_id == case.id, WorkItem.step == "approval",
            WorkItem.step_key.not_like("%~%")).order_by(WorkItem.id)))
        approvals = [_status(a, items) for a in plan.approvals]
        meetings = uow.session.scalars(select(JointReview).where(
            JointReview.case_id == case.id).order_by(JointReview.id))
        return ProjectRead(
            id=case.id, enterprise=case.details["enterprise"], project=case.details["project"],
            status=case.status, accepted_on=case.accepted_on, commitment_due_on=case.due_on,
            commitment_working_days=plan.commitment_working_days,
            elapsed_working_days=calendar.working_days_between(
                case.accepted_on, case.finished_on or today),
            approvals=approvals, critical_path=plan.critical_path(),
            waiting_on=[a.code for a in approvals if a.status in ("open", "claimed",
                                                                  "waiting-for-correction")],
            escalations=cases.escalations_on(uow.session, case.id),
            joint_reviews=[JointReviewRead.model_validate(m, from_attributes=True)
                           for m in meetings],
            flow_run_id=case.flow_run_id, process_version=case.process_version)


def _status(step, items: list[WorkItem]) -> ApprovalStatus:
    group = f"department:{step.department}"
    item = next((i for i in reversed(items) if i.candidate_group == group
                 and i.title.startswith(step.name_zh)), None)
    return ApprovalStatus(code=step.code, name_zh=step.name_zh, department=step.department,
                          status=_label(item), due_on=item and item.due_on,
                          decided_by=item and item.decided_by,
                          work_item_id=item and item.id)


def _label(item: WorkItem | None) -> str:
    if item is None:
        return "not-open"
    if item.status == "completed":
        return final_status(ApprovalDecision.model_validate(item.decision))
    return "waiting-for-correction" if item.waits_for else item.status


def _may_read(session, actor: Actor, case: Case, plan: ApprovalPlan) -> bool:
    involved = {a.department for a in plan.approvals}
    return access.can_read(actor, cases.scope_of(session, case)) or (
        actor.department in involved)


def finish(db: Database, case_id: int, decisions: dict, today: date) -> str:
    """Approved when the last round is approved (its decision is the permit); rejected with
    the reasons of every department that rejected. A re-run changes nothing."""
    status, rejected = project_outcome(decisions)

    def work(uow) -> str:
        # Locked: a re-driven run and the one it replaced, both in their last step, must not
        # both find the project open and both record its end.
        case = uow.session.get(Case, case_id, with_for_update=True)
        if case.status != "in_progress":
            return case.status
        case.status, case.finished_on = status, today
        case.outcome = {"rejected_by": rejected} if rejected else {
            "permit_no": f"施许{case.accepted_on:%Y}-{case.id:06d}"}
        case.updated_at = datetime.now(UTC)
        audit.record(uow.session, cases.process_actor(PROCESS), action=f"case.{status}",
                     subject_type="case", subject_id=case.id, after=case.outcome)
        uow.commit()
        return status

    return db.run(work)


def permit(db: Database, calendar: WorkingCalendar, plan: ApprovalPlan, actor: Actor,
           case_id: int, secret: str) -> str:
    """The construction permit of an approved project, as HTML."""
    project = get_project(db, calendar, plan, actor, case_id, date.today())
    with db.reading() as uow:
        case = uow.session.get(Case, case_id)
        details, outcome = case.details, case.outcome or {}
    if project.status != "approved":
        raise NotFound(f"project {case_id} has no permit: it is {project.status}")
    no = outcome["permit_no"]
    return TEMPLATES.render(
        "construction_permit.html", permit_no=no, enterprise=details["enterprise"],
        credit_code=details["credit_code"], project=details["project"],
        land_contract_no=details["land_contract_no"], accepted_on=project.accepted_on,
        issued_on=case.finished_on, elapsed=project.elapsed_working_days,
        commitment=project.commitment_working_days, approvals=project.approvals,
        verification_code=documents.verification_code(secret, no))


class JointReviewCreate(BaseModel):
    """联审会: the departments that disagree meet; what they agreed is recorded on the case."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, max_length=500)
    departments: list[str] = Field(min_length=2, max_length=20)
    held_on: date
    outcome: str = Field(min_length=1, max_length=4000)


class JointReviewRead(JointReviewCreate):
    id: int
    called_by: str


def record_joint_review(db: Database, plan: ApprovalPlan, actor: Actor, case_id: int,
                        data: JointReviewCreate) -> JointReviewRead:
    involved = {a.department for a in plan.approvals}

    def work(uow) -> JointReviewRead:
        case = uow.session.get(Case, case_id)
        if case is None or case.process != PROCESS or not _may_read(uow.session, actor, case,
                                                                     plan):
            raise NotFound(f"no project {case_id}")  # before any other answer: 404 says all
        if actor.role not in (Role.ADMIN, Role.SECRETARY) and actor.department not in involved:
            raise Forbidden("the involved departments, secretaries or the centre call a 联审会")
        unknown = set(data.departments) - involved
        if unknown:
            raise InvalidInput(f"not involved in this project: {sorted(unknown)}",
                               field="departments")
        row = JointReview(case_id=case.id, called_by=actor.username,
                                 at=datetime.now(UTC), **data.model_dump())
        uow.session.add(row)
        uow.session.flush()
        audit.record(uow.session, actor, action="case.joint_review", subject_type="case",
                     subject_id=case.id, after=data.model_dump(mode="json"))
        uow.commit()
        return JointReviewRead.model_validate(row, from_attributes=True)

    return db.run(work)


ProjectRead.model_rebuild()
