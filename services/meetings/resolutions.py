"""Resolutions followed to closure (督办, QL-10c): 交办 (assigned to the owner as a work item of
the work layer, with the deadline and the escalation ladder) → 承办 (the owner takes it on) →
反馈 (progress: a percentage and a dated timeline entry) → 办结 (the owner reports the result)
→ 评价 (the body's secretary confirms, or sends it back). Open and overdue resolutions stay on
the body's page and are carried to its next agenda (agenda.py)."""

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.calendar import WorkingCalendar
from policies.meetings.cadence import MeetingRules, quorum_met
from policies.meetings.resolutions import OPEN, STAGE_ZH, Progress, overdue
from services.meetings.models import AgendaItem, Meeting, Resolution, ResolutionEntry
from services.meetings.schemas import (
    AttendanceCreate,
    ResolutionCreate,
    ResolutionRead,
    TimelineEntry,
)
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.platform.identity import org_path
from services.work import cases, work_items
from services.work.models import Case, Escalation, WorkItem
from services.work.work_items import WorkItemSpec

PROCESS = "meeting-resolution"
LADDER = "department-deadline"  # the existing ladder (policies/data/escalation.yaml)
HANDLING = ("assigned", "accepted", "reported")  # the owner is at work on it


class Completion(BaseModel):
    """办结: what was done, described."""

    model_config = ConfigDict(extra="forbid")

    result: str = Field(min_length=2, max_length=4000)


class Confirmation(BaseModel):
    """评价: the secretary accepts the result (closing the resolution) or sends it back."""

    model_config = ConfigDict(extra="forbid")

    accepted: StrictBool
    note: str = Field(min_length=1, max_length=2000)


def quorum(rules: MeetingRules, invited: dict, attendance: list[AttendanceCreate]
           ) -> tuple[bool, str]:
    members = {p for p, i in invited.items() if i.kind != "registered-leader"}
    present = sum(a.status == "present" for a in attendance if a.person in members)
    substitutes = sum(a.status == "substitute" for a in attendance if a.person in members)
    return quorum_met(rules.quorum, len(members), present, substitutes)


def resolutions_problem(session: Session, rules: MeetingRules, meeting: Meeting,
                        data: list[ResolutionCreate]) -> tuple[str, str] | None:
    """QL-10c: one resolution for each item on the agenda, each with a known owner."""
    on_agenda = set(session.scalars(select(AgendaItem.id).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.status == "on-agenda")))
    given = [r.agenda_item_id for r in data]
    if sorted(given) != sorted(on_agenda):
        return "resolutions", (f"one resolution for each agenda item {sorted(on_agenda)}; "
                               f"given for {sorted(given)}")
    known = set(session.scalars(select(models.Department.code)))
    for n, r in enumerate(data):
        unknown = ({r.owner} | set(r.co_owners)) - known
        if unknown:
            return f"resolutions.{n}.owner", f"no department {sorted(unknown)}"
        if (r.working_days or 0) > rules.resolution_deadline.max_working_days:
            return f"resolutions.{n}.working_days", (
                f"at most {rules.resolution_deadline.max_working_days} working days")
    return None


def create(session: Session, calendar: WorkingCalendar, rules: MeetingRules,
           meeting: Meeting, data: ResolutionCreate) -> Resolution:
    """交办: the resolution and its case (the owner's work, in the work layer)."""
    days = data.working_days or rules.resolution_deadline.default_working_days
    deadline = calendar.add_working_days(meeting.held_on, days)
    now = datetime.now(UTC)
    case = Case(process=PROCESS, process_version=1, status="tracking",
                department_code=data.owner, subject=f"决议督办：{data.text}"[:200],
                details={"meeting": meeting.id, "body": meeting.body_code, "kind": data.kind},
                accepted_on=meeting.held_on, due_on=deadline, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    row = Resolution(meeting_id=meeting.id, body_code=meeting.body_code, case_id=case.id,
                     working_days=days, deadline=deadline, status="assigned", created_at=now,
                     **data.model_dump(exclude={"working_days"}))
    session.add(row)
    session.flush()
    _entry(session, row, "assigned", meeting.held_on, cases.process_actor(PROCESS).username,
           f"会议交办，{days}个工作日内办结（{deadline}前）")
    audit.record(session, cases.process_actor(PROCESS), action="resolution.assigned",
                 subject_type="resolution", subject_id=row.id,
                 after={"owner": row.owner, "deadline": deadline, "kind": row.kind})
    return row


def open_follow_up(db: Database, resolution_ids: list[int]) -> None:
    """Each resolution's work item in its owner's queue, with its deadline and the ladder that
    escalates it when late. Idempotent (the flow re-runs it)."""
    for rid in resolution_ids:
        with db.reading() as uow:
            r = uow.session.get(Resolution, rid)
            spec = _follow_up_spec(r, attempt=1)
        work_items.open_item(db, spec)


def _follow_up_spec(r: Resolution, attempt: int) -> WorkItemSpec:
    return WorkItemSpec(case_id=r.case_id, step="follow-up", attempt=attempt,
                        title=f"决议督办：{r.text}"[:200], form="recorded",
                        candidate_group=f"department:{r.owner}", due="none",
                        due_on=r.deadline, deadline_kind=None, ladder=LADDER)


def report_progress(db: Database, actor: Actor, rid: int, data: Progress, today: date
                    ) -> ResolutionRead:
    """承办 (the first report) and 反馈: a percentage and a dated entry on the timeline."""
    def work(uow) -> ResolutionRead:
        r = _owners(uow.session, actor, rid)
        if r.status not in ("assigned", "accepted", "reported"):
            raise Conflict(f"the resolution is {STAGE_ZH[r.status]}; progress is reported "
                           "while it is being handled")
        if data.percent < r.percent:
            raise InvalidInput(f"progress was {r.percent}%; it does not go back",
                               field="percent")
        if r.status == "assigned":
            _entry(uow.session, r, "accepted", today, actor.username, "责任单位承办")
        r.status, r.percent = "reported", data.percent
        _entry(uow.session, r, "reported", today, actor.username, data.note)
        audit.record(uow.session, actor, action="resolution.progress",
                     subject_type="resolution", subject_id=r.id,
                     after={"percent": r.percent, "note": data.note})
        uow.commit()
        return read_model(uow.session, r, today)

    return db.run(work)


def follow_up_item(db: Database, actor: Actor, rid: int) -> int:
    """The owner's open follow-up work item (completion decides it)."""
    with db.reading() as uow:
        r = _owners(uow.session, actor, rid)
        if r.status not in HANDLING:
            raise Conflict(f"the resolution is {STAGE_ZH[r.status]}")
        return _open_item(uow.session, r.case_id, "follow-up")


def complete_in(session: Session, actor: Actor, rid: int, data: Completion, today: date,
                group_of) -> None:
    """办结 (in the transaction deciding the owner's work item): the result, and the body's
    secretaries (`group_of(body)`) asked to confirm it."""
    r = _owners(session, actor, rid)
    if r.status not in HANDLING:
        raise Conflict(f"the resolution is {STAGE_ZH[r.status]}")
    r.status, r.percent, r.result = "completed", 100, data.result
    _entry(session, r, "completed", today, actor.username, data.result)
    audit.record(session, actor, action="resolution.completed",
                 subject_type="resolution", subject_id=r.id, after={"result": r.result})
    spec = WorkItemSpec(
        case_id=r.case_id, step="confirmation", attempt=_attempts(session, r.case_id),
        title=f"确认决议办结：{r.text}"[:200], form="recorded",
        candidate_group=group_of(r.body_code), due="none", deadline_kind=None, ladder=None)
    work_items.open_step(session, spec, step_key=spec.step_key)


def confirmation_item(db: Database, actor: Actor, rid: int) -> int:
    with db.reading() as uow:
        r = _secretarys(uow.session, actor, rid)
        if r.status != "completed":
            raise Conflict(f"the resolution is {STAGE_ZH[r.status]}; the owner reports the "
                           "result first")
        return _open_item(uow.session, r.case_id, "confirmation")


def confirm_in(session: Session, actor: Actor, rid: int, data: Confirmation, today: date
               ) -> None:
    """评价 (in the transaction deciding the confirmation item): closed with the result
    confirmed, or sent back to the owner with a new item."""
    r = _secretarys(session, actor, rid)
    if r.status != "completed":
        raise Conflict(f"the resolution is {STAGE_ZH[r.status]}; the owner reports the "
                       "result first")
    if data.accepted:
        r.status, r.closed_on = "closed", today
        session.get(Case, r.case_id).status = "closed"
    else:
        r.status, r.percent = "reported", 90
    _entry(session, r, "closed" if data.accepted else "reported", today,
           actor.username, ("确认办结：" if data.accepted else "退回继续办理：") + data.note)
    audit.record(session, actor, action="resolution.closed" if data.accepted else
                 "resolution.sent_back", subject_type="resolution", subject_id=r.id,
                 after={"note": data.note, "closed_on": r.closed_on})
    if not data.accepted:
        spec = _follow_up_spec(r, attempt=_attempts(session, r.case_id))
        work_items.open_step(session, spec, step_key=spec.step_key)


def get(db: Database, actor: Actor, rid: int, today: date) -> ResolutionRead:
    with db.reading() as uow:
        r = uow.session.get(Resolution, rid)
        if r is None or not may_read(uow.session, actor, r):
            raise NotFound(f"no resolution {rid}")
        return read_model(uow.session, r, today)


def search(db: Database, actor: Actor, today: date, *, owner: str | None, status: str | None,
           body: str | None, only_overdue: bool, limit: int, offset: int
           ) -> tuple[list[ResolutionRead], int]:
    stmt = select(Resolution).order_by(Resolution.deadline, Resolution.id)
    for column, value in [(Resolution.owner, owner), (Resolution.status, status),
                          (Resolution.body_code, body)]:
        if value:
            stmt = stmt.where(column == value)
    if only_overdue:
        stmt = stmt.where(Resolution.status.in_(OPEN), Resolution.deadline < today)
    with db.reading() as uow:
        rows = [r for r in uow.session.scalars(stmt) if may_read(uow.session, actor, r)]
        return [read_model(uow.session, r, today) for r in rows[offset:offset + limit]], len(rows)


def of_meeting(session: Session, meeting_id: int, today: date) -> list[ResolutionRead]:
    return [read_model(session, r, today) for r in session.scalars(select(Resolution).where(
        Resolution.meeting_id == meeting_id).order_by(Resolution.id))]


def may_read(session: Session, actor: Actor, r: Resolution) -> bool:
    """The owner department its resolutions (co-owners too); the body's secretary and those
    above; auditors and administrators all."""
    if actor.role is Role.OFFICER and actor.department in (r.owner, *r.co_owners):
        return True
    return access.can_read(actor, ObjectScope(org_units=org_path(session, r.body_code)))


def _owners(session: Session, actor: Actor, rid: int) -> Resolution:
    r = session.get(Resolution, rid)
    if r is None or not may_read(session, actor, r):
        raise NotFound(f"no resolution {rid}")
    if actor.role is not Role.OFFICER or actor.department != r.owner:
        raise NotFound(f"no resolution {rid} owned by your department")
    return r


def _secretarys(session: Session, actor: Actor, rid: int) -> Resolution:
    r = session.get(Resolution, rid)
    if r is None or not may_read(session, actor, r):
        raise NotFound(f"no resolution {rid}")
    if actor.role is not Role.SECRETARY or actor.org_unit != r.body_code:
        raise NotFound(f"no resolution {rid} of your body")
    return r


def _open_item(session: Session, case_id: int, step: str) -> int:
    item = session.scalar(select(WorkItem.id).where(
        WorkItem.case_id == case_id, WorkItem.step == step,
        WorkItem.status.in_(["open", "claimed"])).order_by(WorkItem.id.desc()))
    if item is None:
        raise Conflict(f"no open {step} step for this resolution")
    return item


def _attempts(session: Session, case_id: int) -> int:
    return 1 + session.scalar(select(func.count()).select_from(WorkItem).where(
        WorkItem.case_id == case_id, WorkItem.step == "confirmation"))


def _entry(session: Session, r: Resolution, stage: str, on: date, by: str, note: str) -> None:
    session.add(ResolutionEntry(resolution_id=r.id, on=on, stage=stage, percent=r.percent,
                                note=note, by=by, at=datetime.now(UTC)))
    session.flush()


def read_model(session: Session, r: Resolution, today: date) -> ResolutionRead:
    entries = session.scalars(select(ResolutionEntry).where(
        ResolutionEntry.resolution_id == r.id).order_by(ResolutionEntry.id))
    escalated = session.scalar(select(func.count()).select_from(Escalation).where(
        Escalation.case_id == r.case_id))
    return ResolutionRead(
        id=r.id, meeting_id=r.meeting_id, body_code=r.body_code,
        agenda_item_id=r.agenda_item_id, case_id=r.case_id, kind=r.kind, text=r.text,
        owner=r.owner, co_owners=r.co_owners, working_days=r.working_days,
        deadline=r.deadline, status=r.status, stage_zh=STAGE_ZH[r.status], percent=r.percent,
        result=r.result, closed_on=r.closed_on, overdue=overdue(r.status, r.deadline, today),
        escalations=escalated,
        timeline=[TimelineEntry.model_validate(e, from_attributes=True) for e in entries])
