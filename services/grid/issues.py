"""The grid loop's use cases (QL-07, LK-06, HC-03): report, acknowledge, resolve, supervise,
feed back, evaluate, close. Each is one transaction: load, ask policies/grid/loop.py, change,
audit, commit. The issue's shared record is its work-layer case (process "grid-loop"), run by
its own flow (flows/grid/grid_loop.py), started through the outbox when the issue is reported.

Each step of the loop is a work item in its group's queue: the handler's resolution (with the
category's deadline), the supervisor's verification, the grid's feedback to the raiser and the
raiser's evaluation. A use case completes the step it records and opens the next one in the
same transaction, so the queues are right whether or not a worker is running; the flow waits
on each step in turn (it finds the item already open, or already decided when it re-runs) and
ends the case once the loop has closed. The step's spec is built here, once, for both."""

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.calendar import WorkingCalendar
from policies.grid import loop
from policies.grid.categories import Catalogue, handler_group
from policies.grid.loop import LoopState, Rating, Stage
from policies.personal_data import mask_phone, mobile_problem
from policies.work_items import in_group
from services.grid.models import GridIssue
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.platform.identity import org_path
from services.work import cases, outbox, process_versions, steps
from services.work.models import Case, WorkItem
from services.work.work_items import WorkItemSpec

PROCESS = "grid-loop"
# The case's status (the work layer's: the reconciler keeps an in-progress case's run alive);
# where the loop stands is the issue's stage.
IN_PROGRESS, CLOSED = "in_progress", "closed"


class IssueReport(BaseModel):
    """巡查发现 or 群众反映: what, where, and who to tell the outcome."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=2, max_length=4000)
    grid: str = Field(min_length=1, max_length=64)
    building: str | None = Field(default=None, max_length=100)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, max_length=300)
    channel: Literal["patrol", "resident"] = "patrol"
    raiser_name: str | None = Field(default=None, max_length=64)
    raiser_phone: str | None = Field(default=None, max_length=20)

    @field_validator("raiser_phone")
    @classmethod
    def _a_mobile_number(cls, value: str | None) -> str | None:
        if value is not None and (problem := mobile_problem(value)):
            raise ValueError(problem)
        return value


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(min_length=2, max_length=4000, description="what the handler did")


class Supervision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    method: Literal["on-site", "photos"]
    reasons: str | None = Field(default=None, max_length=2000)


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=2, max_length=2000, description="what the raiser is told")


class Evaluation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Rating
    comment: str | None = Field(default=None, max_length=2000)


class IssueRead(BaseModel):
    id: int
    category: str
    category_name: str
    description: str
    grid: str
    community: str
    street: str
    building: str | None
    latitude: float | None
    longitude: float | None
    address: str | None
    channel: str
    raiser_name: str | None
    raiser_phone: str | None  # masked unless the reader serves the raiser
    status: str  # the loop's stage: handling, supervising, feedback, evaluation, closed
    status_zh: str
    handler_group: str
    department: str | None
    due_on: date
    response_due_on: date
    responded_on: date | None
    supervised: bool
    fed_back: bool
    reopened: int
    with_secretary: bool
    rating: str | None
    feedback: str | None
    reported_on: date
    closed_on: date | None
    open_work_items: list[int]


def report(db: Database, catalogue: Catalogue, calendar: WorkingCalendar, actor: Actor,
           data: IssueReport, today: date, channel: str | None = None) -> IssueRead:
    category = catalogue.get(data.category)
    if category is None:
        raise InvalidInput(f"no category '{data.category}'", field="category")

    def work(uow) -> int:
        grid, community, street = _place(uow.session, data)
        if not access.can_write(actor, ObjectScope(org_units=org_path(uow.session, grid))):
            raise Forbidden(f"{actor.username} does not work in grid {grid}")
        due = category.due_on(calendar, today)
        case = Case(process=PROCESS, process_version=process_versions.current_version(
            uow.session, PROCESS), status=IN_PROGRESS, subject=(
                f"{category.name_zh}：{data.description}")[:200], accepted_on=today, due_on=due,
            details={"category": category.code, "org_unit": grid},
            department_code=category.department, created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC))
        uow.session.add(case)
        uow.session.flush()
        group = handler_group(category, grid, community)
        issue = GridIssue(
            case_id=case.id, category=category.code, description=data.description, grid=grid,
            community=community, street=street, building=data.building, latitude=data.latitude,
            longitude=data.longitude, address=data.address, channel=channel or data.channel,
            raised_by=actor.username, raiser_name=data.raiser_name,
            raiser_phone=data.raiser_phone, handler_group=group, department=category.department,
            stage=Stage.HANDLING.value, response_due_on=catalogue.response_due_on(
                calendar, today), reported_at=datetime.now(UTC))
        uow.session.add(issue)
        uow.session.flush()
        audit.record(uow.session, actor, action="issue.reported", subject_type="case",
                     subject_id=case.id, after={"category": category.code, "grid": grid,
                                                "handler": group, "due_on": due,
                                                "channel": issue.channel})
        _open_resolve(uow.session, case, issue, category.name_zh)
        outbox.start_run(uow.session, case, "start")
        uow.commit()
        return case.id

    return get(db, catalogue, actor, db.run(work))


def _place(session: Session, data: IssueReport) -> tuple[str, str, str]:
    grid = session.get(models.OrgUnit, data.grid)
    if grid is None or grid.level != "grid":
        raise InvalidInput(f"no grid '{data.grid}'", field="grid")
    if data.building is not None and data.building not in set(session.scalars(
            select(models.OrgUnit.name_zh).where(models.OrgUnit.parent_code == grid.code))):
        raise InvalidInput(f"no building '{data.building}' in {grid.name_zh}", field="building")
    community = session.get(models.OrgUnit, grid.parent_code)
    return grid.code, community.code, community.parent_code


def get(db: Database, catalogue: Catalogue, actor: Actor, case_id: int) -> IssueRead:
    with db.reading() as uow:
        case, issue = _load(uow.session, actor, case_id)
        return _read(uow.session, catalogue, actor, case, issue)


def listing(db: Database, catalogue: Catalogue, actor: Actor, *, status: str | None,
            limit: int, offset: int) -> list[IssueRead]:
    """The issues the reader may see, newest first (a grid member its grid, a secretary its
    unit, a department the issues it handles)."""
    stmt = select(Case, GridIssue).join(GridIssue, GridIssue.case_id == Case.id)
    if status:
        stmt = stmt.where(GridIssue.stage == status)
    stmt = stmt.where(*_visible(actor)).order_by(Case.id.desc()).limit(limit).offset(offset)
    with db.reading() as uow:
        return [_read(uow.session, catalogue, actor, c, i) for c, i in uow.session.execute(stmt)]


def _visible(actor: Actor) -> list:
    match actor.role:
        case Role.ADMIN | Role.AUDITOR:
            return []
        case Role.OFFICER:  # the issues it handles, and those it was summoned to (吹哨报到)
            summoned = select(WorkItem.case_id).where(
                WorkItem.candidate_group == f"department:{actor.department}")
            return [(GridIssue.department == actor.department)
                    | GridIssue.case_id.in_(summoned)]
        case Role.SECRETARY | Role.GRID_MEMBER:  # its unit and below; a grid member: its grid
            unit = actor.org_unit
            return [(GridIssue.grid == unit) | (GridIssue.community == unit)
                    | (GridIssue.street == unit) | (unit == "haicang")]
    return [GridIssue.case_id.is_(None)]


def acknowledge(db: Database, catalogue: Catalogue, actor: Actor, case_id: int,
                today: date) -> IssueRead:
    """受理: the handler answers that it has the issue; counts for the response rate."""
    def work(uow) -> None:
        case, issue = _load(uow.session, actor, case_id, lock=True)
        _require_handler(actor, issue)
        if issue.responded_on is None:
            issue.responded_on = today
            audit.record(uow.session, actor, action="issue.acknowledged", subject_type="case",
                         subject_id=case.id, after={"responded_on": today})
        uow.commit()

    db.run(work)
    return get(db, catalogue, actor, case_id)


def resolve(db: Database, catalogue: Catalogue, actor: Actor, case_id: int, data: Resolution,
            today: date) -> IssueRead:
    """解决: the handler reports what it did; a supervisor who is not the handler verifies."""
    def work(uow) -> None:
        case, issue = _load(uow.session, actor, case_id, lock=True)
        _require_handler(actor, issue)
        _refuse_unless("resolve", issue)
        item = steps.current(uow.session, case.id, "resolve")
        steps.complete_in(uow.session, actor, item, {"actions": data.result})
        issue.responded_on = issue.responded_on or today
        _move(uow.session, actor, case, issue, Stage.SUPERVISING, "issue.resolved",
              {"result": data.result})
        _open_next(uow.session, case, issue, "supervise")
        uow.commit()

    db.run(work)
    return get(db, catalogue, actor, case_id)


def supervise(db: Database, catalogue: Catalogue, actor: Actor, case_id: int,
              data: Supervision) -> IssueRead:
    """督查: passed, the issue goes to feedback; failed, back to the handler with reasons."""
    if not data.passed and not (data.reasons or "").strip():
        raise InvalidInput("a failed verification must state its reasons", field="reasons")

    def work(uow) -> None:
        case, issue = _load(uow.session, actor, case_id, lock=True)
        if not (actor.role is Role.ADMIN or in_group(actor, _supervisor_group(issue))):
            raise Forbidden(f"{_supervisor_group(issue)} supervises this issue")
        _refuse_unless("supervise", issue)
        if reason := loop.supervisor_refusal(actor.username, _handlers(uow.session, case.id)):
            raise Conflict(reason)
        item = steps.current(uow.session, case.id, "supervise")
        steps.complete_in(uow.session, actor, item, {
            "outcome": "approve" if data.passed else "reject", "reasons": data.reasons})
        after = loop.after_supervision(_state(issue), data.passed)
        issue.supervised = after.supervised
        _move(uow.session, actor, case, issue, after.stage, "issue.supervised",
              data.model_dump())
        if data.passed:
            _open_next(uow.session, case, issue, "feedback")
        else:
            _open_resolve(uow.session, case, issue, f"督查退回：{data.reasons}")
        uow.commit()

    db.run(work)
    return get(db, catalogue, actor, case_id)


def feedback(db: Database, catalogue: Catalogue, actor: Actor, case_id: int,
             data: Feedback) -> IssueRead:
    """反馈: the raiser is told the outcome (a message to the raiser's phone, if given)."""
    def work(uow) -> None:
        case, issue = _load(uow.session, actor, case_id, lock=True)
        _require_grid_side(uow.session, actor, issue)
        _refuse_unless("feedback", issue)
        _complete(uow.session, actor, case, "feedback", {
            "record": "feedback", "content": {"message": data.message}})
        issue.fed_back, issue.feedback = True, data.message
        if issue.raiser_phone:
            outbox.notify(uow.session, case_id=case.id, to=f"sms:{issue.raiser_phone}",
                          subject=f"您反映的问题已处理：{case.subject}"[:200], body=data.message)
        _move(uow.session, actor, case, issue, Stage.EVALUATION, "issue.fed_back",
              {"message": data.message})
        _open_next(uow.session, case, issue, "evaluation")
        uow.commit()

    db.run(work)
    return get(db, catalogue, actor, case_id)


def evaluate(db: Database, catalogue: Catalogue, actor: Actor, case_id: int,
             data: Evaluation, today: date) -> IssueRead:
    """评价 (recorded by the grid side as the raiser gives it): satisfied closes; dissatisfied
    reopens once for the handler, then the community secretary takes it over."""
    def work(uow) -> None:
        case, issue = _load(uow.session, actor, case_id, lock=True)
        _require_grid_side(uow.session, actor, issue)
        _refuse_unless("evaluate", issue)
        _complete(uow.session, actor, case, "evaluation", {
            "record": "evaluation", "content": data.model_dump(mode="json")})
        after = loop.after_evaluation(_state(issue), data.rating)
        issue.rating = data.rating.value
        issue.supervised, issue.fed_back = after.supervised, after.fed_back
        issue.reopened, issue.with_secretary = after.reopened, after.with_secretary
        if after.with_secretary:
            issue.handler_group = f"org:{issue.community}"
        _move(uow.session, actor, case, issue, after.stage, "issue.evaluated",
              data.model_dump(mode="json") | {"reopened": after.reopened})
        if after.stage is Stage.CLOSED:
            _finish(case, issue, today, "evaluated")
        else:
            _open_resolve(uow.session, case, issue, f"群众不满意，重新办理：{data.comment or ''}")
        uow.commit()

    db.run(work)
    return get(db, catalogue, actor, case_id)


def close(db: Database, catalogue: Catalogue, actor: Actor, case_id: int,
          today: date) -> IssueRead:
    """办结 without the raiser's evaluation (the raiser gave none): only after supervision and
    feedback; the API refuses it otherwise (QL-07, HC-03)."""
    def work(uow) -> None:
        case, issue = _load(uow.session, actor, case_id, lock=True)
        _require_grid_side(uow.session, actor, issue)
        if reason := loop.close_refusal(_state(issue)):
            raise Conflict(reason)
        _complete(uow.session, actor, case, "evaluation",
                  {"record": loop.CLOSED_WITHOUT_EVALUATION, "content": {}})
        _move(uow.session, actor, case, issue, Stage.CLOSED, "issue.closed",
              {"evaluated": False})
        _finish(case, issue, today, "closed-without-evaluation")
        uow.commit()

    db.run(work)
    return get(db, catalogue, actor, case_id)


def _finish(case: Case, issue: GridIssue, today: date, how: str) -> None:
    """The loop closed on `today`; the case itself ends when its run has followed the loop
    to its end (end_case), as every case does."""
    case.finished_on = today
    case.outcome = {"how": how, "rating": issue.rating, "feedback": issue.feedback}


def end_case(db: Database, case_id: int, today: date) -> str:
    """The flow's last step: the case is closed (once; a re-driven run changes nothing)."""
    with db.reading() as uow:
        outcome = uow.session.get(Case, case_id).outcome
    cases.finish(db, case_id, CLOSED, outcome or {}, today)
    return (outcome or {}).get("how", CLOSED)


def _open_resolve(session: Session, case: Case, issue: GridIssue, title: str) -> None:
    steps.open_in(session, step_spec(case, issue, "resolve", _round(session, case.id) + 1,
                                     title))


def _open_next(session: Session, case: Case, issue: GridIssue, step: str) -> None:
    steps.open_in(session, step_spec(case, issue, step, _round(session, case.id)))


def _round(session: Session, case_id: int) -> int:
    """The loop's round: one per resolution asked of the handler (a failed verification or a
    dissatisfied raiser starts the next); its steps share its number."""
    return len(list(session.scalars(select(WorkItem.id).where(
        WorkItem.case_id == case_id, WorkItem.step == "resolve"))))


def step_spec(case: Case, issue: GridIssue, step: str, attempt: int,
              title: str | None = None) -> WorkItemSpec:
    """The loop's step `step` of round `attempt` (a round: one resolution and what follows
    it), for the group that does it now. Also what the flow asks for, so both name one item."""
    if step == "resolve":
        return WorkItemSpec(
            case_id=case.id, step=step, attempt=attempt, title=(title or case.subject)[:200],
            form="rectification", candidate_group=issue.handler_group, due="case",
            # a department's overdue step climbs the department ladder (its head, then the
            # centre); the grid's and the community's are followed by their own secretaries
            ladder="department-deadline" if issue.handler_group.startswith("department:")
            else None)
    if step == "supervise":
        return WorkItemSpec(case_id=case.id, step=step, attempt=attempt,
                            title=f"督查：{case.subject}"[:200], form="approval",
                            candidate_group=_supervisor_group(issue), due="none", ladder=None)
    verb = {"feedback": "反馈", "evaluation": "评价"}[step]
    return WorkItemSpec(case_id=case.id, step=step, attempt=attempt,
                        title=f"{verb}：{case.subject}"[:200], form="recorded",
                        candidate_group=f"org:{issue.grid}", due="none", deadline_kind=None,
                        ladder=None)


def step_of(db: Database, case_id: int, step: str, attempt: int) -> WorkItemSpec:
    """The spec of one step of the issue's loop, as its flow asks for it."""
    with db.reading() as uow:
        issue = uow.session.get(GridIssue, case_id)
        return step_spec(uow.session.get(Case, case_id), issue, step, attempt)


def _complete(session: Session, actor: Actor, case: Case, step: str, decision: dict
              ) -> WorkItem | None:
    """Complete the case's open `step` (an issue reported before feedback and evaluation were
    steps of their own has none: its record moves on alone)."""
    item = steps.current(session, case.id, step)
    if item is not None:
        steps.complete_in(session, actor, item, decision)
    return item


def _move(session: Session, actor: Actor, case: Case, issue: GridIssue, stage: Stage,
          action: str, after: dict) -> None:
    before = {"status": issue.stage}
    issue.stage = stage.value
    case.updated_at = datetime.now(UTC)
    audit.record(session, actor, action=action, subject_type="case", subject_id=case.id,
                 before=before, after=after | {"status": stage.value})


def _state(issue: GridIssue) -> LoopState:
    return LoopState(stage=Stage(issue.stage), supervised=issue.supervised,
                     fed_back=issue.fed_back, reopened=issue.reopened,
                     with_secretary=issue.with_secretary)


def _refuse_unless(action: str, issue: GridIssue) -> None:
    if reason := loop.refusal(action, _state(issue)):
        raise Conflict(reason)


def _supervisor_group(issue: GridIssue) -> str:
    """The community supervises; when the community itself handles, the street does."""
    if issue.handler_group == f"org:{issue.community}":
        return f"org:{issue.street}"
    return f"org:{issue.community}"


def _handlers(session: Session, case_id: int) -> set[str]:
    return set(session.scalars(select(WorkItem.decided_by).where(
        WorkItem.case_id == case_id, WorkItem.step == "resolve",
        WorkItem.decided_by.is_not(None))))


def _require_handler(actor: Actor, issue: GridIssue) -> None:
    if not (actor.role is Role.ADMIN or in_group(actor, issue.handler_group)):
        raise Forbidden(f"{issue.handler_group} handles this issue")


def _require_grid_side(session: Session, actor: Actor, issue: GridIssue) -> None:
    """Feedback, evaluation and closing are the grid's and the community's to record."""
    if not access.can_write(actor, ObjectScope(org_units=org_path(session, issue.grid))):
        raise Forbidden("the grid, its community or street records feedback and evaluation")


def scope_of(session: Session, issue: GridIssue) -> ObjectScope:
    return ObjectScope(department=issue.department, org_units=org_path(session, issue.grid))


def load_issue(session: Session, actor: Actor, case_id: int, lock: bool = False
               ) -> tuple[Case, GridIssue]:
    """The issue if `actor` may read it (NotFound otherwise: out of scope says nothing)."""
    return _load(session, actor, case_id, lock)


def _load(session: Session, actor: Actor, case_id: int, lock: bool = False
          ) -> tuple[Case, GridIssue]:
    stmt = select(GridIssue).where(GridIssue.case_id == case_id)
    issue = session.scalar(stmt.with_for_update() if lock else stmt)
    if issue is None or not (access.can_read(actor, scope_of(session, issue))
                             or _summoned(session, actor, case_id)):
        raise NotFound(f"no issue {case_id}")
    return session.get(Case, case_id), issue


def _summoned(session: Session, actor: Actor, case_id: int) -> bool:
    """A department with a step on the issue (summoned by a whistle, say) follows it."""
    return actor.department is not None and session.scalar(select(WorkItem.id).where(
        WorkItem.case_id == case_id,
        WorkItem.candidate_group == f"department:{actor.department}").limit(1)) is not None


def _read(session: Session, catalogue: Catalogue, actor: Actor, case: Case,
          issue: GridIssue) -> IssueRead:
    category = catalogue.get(issue.category)
    phone = issue.raiser_phone
    if phone and not access.sees_personal_data(actor, scope_of(session, issue)):
        phone = mask_phone(phone)
    items = session.scalars(select(WorkItem.id).where(
        WorkItem.case_id == case.id, WorkItem.status.in_(steps.OPEN)).order_by(WorkItem.id))
    return IssueRead(
        id=case.id, category=issue.category,
        category_name=category.name_zh if category else issue.category,
        description=issue.description, grid=issue.grid, community=issue.community,
        street=issue.street, building=issue.building, latitude=issue.latitude,
        longitude=issue.longitude, address=issue.address, channel=issue.channel,
        raiser_name=issue.raiser_name, raiser_phone=phone, status=issue.stage,
        status_zh=loop.STAGE_ZH[Stage(issue.stage)], handler_group=issue.handler_group,
        department=issue.department, due_on=case.due_on,
        response_due_on=issue.response_due_on, responded_on=issue.responded_on,
        supervised=issue.supervised, fed_back=issue.fed_back, reopened=issue.reopened,
        with_secretary=issue.with_secretary, rating=issue.rating, feedback=issue.feedback,
        reported_on=case.accepted_on, closed_on=case.finished_on, open_work_items=list(items))
