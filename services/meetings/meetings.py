"""Joint meetings (QL-10a/b/c): convening, members' matters, the agenda, the record, minutes.

The steps that people decide go through the work layer: the flow opens a work item for the
body's secretaries (agenda, record, minutes), the endpoints here check what the secretary
sends against the meeting and decide the item with it, and the flow applies exactly that
(`apply_*`, re-checked: an item decided by hand with bad content is asked again).
"""

from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.calendar import WorkingCalendar
from policies.meetings.bodies import Body
from policies.meetings.cadence import MeetingRules, period_of
from services.meetings import agenda, resolutions
from services.meetings.models import AgendaItem, Invitation, Meeting, Resolution
from services.meetings.schemas import (
    AgendaFinalise,
    AgendaItemRead,
    InvitationRead,
    MatterCreate,
    MeetingRead,
    MeetingRecordCreate,
    MeetingSummary,
)
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.platform.identity import org_path
from services.work import cases, outbox
from services.work.models import Case, WorkItem
from services.work.work_items import WorkItemSpec

PROCESS = "joint-meeting"
STEPS = {"agenda": "确定会议议程", "record": "记录会议与决议", "minutes": "确认会议纪要"}
ACTOR = cases.process_actor(PROCESS)


def convene(db: Database, calendar: WorkingCalendar, rules: MeetingRules, body: Body,
            today: date, flow_run_id: str | None) -> int:
    """Create the period's meeting, invite the members serving today and open the window for
    matters. Idempotent: the run that convened it (re-running after a resume) and a second
    run for the same period get the same meeting."""
    period = period_of(rules.cadence(body.level), today)

    def work(uow) -> int:
        existing = uow.session.scalar(select(Meeting).where(
            Meeting.body_code == body.code, Meeting.period == period.code))
        if existing is not None:
            return existing.id
        meeting = _new_meeting(uow.session, calendar, rules, body, period.code, today,
                               flow_run_id)
        _invite(uow.session, meeting, body, today)
        for item in agenda.proposed_items(uow.session, body, today, rules.proposed_items_max):
            uow.session.add(AgendaItem(meeting_id=meeting.id, submitted_by=ACTOR.username,
                                       status="proposed", at=datetime.now(UTC), **item))
        uow.commit()
        return meeting.id

    return db.run(work)


def _new_meeting(session: Session, calendar: WorkingCalendar, rules: MeetingRules, body: Body,
                 period: str, today: date, flow_run_id: str | None) -> Meeting:
    now = datetime.now(UTC)
    case = Case(process=PROCESS, process_version=1, status="convened", subject=(
        f"{body.name_zh}（{period}）"), details={
            "body": body.code, "period": period,
            "rerun": outbox.rerun(f"{PROCESS}/{body.code}", body=body.code, on=today)},
        accepted_on=today, due_on=period_of(rules.cadence(body.level), today).end,
        flow_run_id=flow_run_id, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    meeting = Meeting(
        body_code=body.code, level=body.level, period=period, case_id=case.id,
        status="convened", convened_on=today, created_at=now,
        matters_close_on=calendar.add_working_days(today, rules.matters_window_working_days),
        planned_on=calendar.add_working_days(today, rules.meeting_after_working_days))
    session.add(meeting)
    session.flush()
    audit.record(session, ACTOR, action="meeting.convened", subject_type="meeting",
                 subject_id=meeting.id, after={"body": body.code, "period": period,
                                               "planned_on": meeting.planned_on})
    return meeting


def _invite(session: Session, meeting: Meeting, body: Body, today: date) -> None:
    """QL-09 / LK-01: the membership of that day, kept with the meeting; a change since the
    body's previous meeting is audited (who joined, who left)."""
    invited = body.invitation_list(today)
    _audit_membership_change(session, meeting, {i.person for i in invited})
    for invitee in invited:
        session.add(Invitation(meeting_id=meeting.id, **invitee.model_dump()))
        outbox.notify(session, case_id=meeting.case_id, to=f"member:{invitee.person}",
                      subject=f"会议通知：{body.name_zh}（{meeting.period}）",
                      body=f"拟于{meeting.planned_on}召开。请于{meeting.matters_close_on}前提交"
                           f"需研究决定的重大事项。日程：/api/v1/meetings/{meeting.id}/invitation.ics")


def _audit_membership_change(session: Session, meeting: Meeting, now: set[str]) -> None:
    previous = session.scalar(select(Meeting.id).where(
        Meeting.body_code == meeting.body_code, Meeting.id != meeting.id,
        Meeting.convened_on < meeting.convened_on).order_by(Meeting.convened_on.desc()))
    if previous is None:
        return
    before = {i.person for i in _invitations(session, previous)}
    if before != now:
        audit.record(session, ACTOR, action="meeting.membership_changed",
                     subject_type="org_unit", subject_id=meeting.body_code,
                     before={"meeting": previous}, after={
                         "meeting": meeting.id, "joined": sorted(now - before),
                         "left": sorted(before - now)})


def submit_matter(db: Database, body: Body, actor: Actor, meeting_id: int,
                  data: MatterCreate, today: date) -> AgendaItemRead:
    """QL-10b (1): a member (or the secretary) submits a major matter within the window."""
    def work(uow) -> AgendaItemRead:
        meeting = _visible(uow.session, actor, meeting_id, body)
        if actor.role is not Role.ADMIN and actor.username not in _member_accounts(
                uow.session, meeting):
            raise NotFound(f"no meeting {meeting_id}")  # not a member: as if absent
        if meeting.status != "convened" or today > meeting.matters_close_on:
            raise Conflict(f"matters were taken until {meeting.matters_close_on}; "
                           "the agenda is closed")
        item = AgendaItem(meeting_id=meeting.id, source="matter", submitted_by=actor.username,
                          status="proposed", at=datetime.now(UTC), **data.model_dump())
        uow.session.add(item)
        uow.session.flush()
        audit.record(uow.session, actor, action="meeting.matter_submitted",
                     subject_type="meeting", subject_id=meeting.id,
                     after={"item": item.id, "title": item.title})
        uow.commit()
        return AgendaItemRead.model_validate(item, from_attributes=True)

    return db.run(work)


def check_agenda(db: Database, body: Body, actor: Actor, meeting_id: int,
                 data: AgendaFinalise) -> tuple[int, dict[str, Any]]:
    """The agenda work item and the decision to give it, once the agenda is sound."""
    with db.reading() as uow:
        meeting = agenda_sound(uow.session, actor, meeting_id, data)
        return _open_step(uow.session, meeting, "agenda"), {
            "record": "agenda", "content": data.model_dump(mode="json")}


def agenda_sound(session: Session, actor: Actor, meeting_id: int, data: AgendaFinalise
                 ) -> Meeting:
    """The secretary's meeting, waiting for its agenda, which `data` orders soundly (raises
    otherwise); checked again in the transaction that decides the work item."""
    meeting = _secretarys(session, actor, meeting_id, None, "convened")
    problem = agenda_problem(session, meeting, data)
    if problem:
        raise InvalidInput(problem[1], field=problem[0])
    return meeting


def agenda_problem(session: Session, meeting: Meeting, data: AgendaFinalise
                   ) -> tuple[str, str] | None:
    if len(data.named()) != len(set(data.named())):
        return "order", "an item is ordered, dropped or merged, once"
    proposed = {i.id for i in _items(session, meeting.id) if i.status == "proposed"}
    named = {s.item_id for s in data.order} | {d.item_id for d in data.dropped} | {
        m.item_id for m in data.merged}
    if named - proposed:
        return "order", f"not items of this agenda: {sorted(named - proposed)}"
    if proposed - named:
        return "dropped", (f"items {sorted(proposed - named)} are neither on the agenda nor "
                           "dropped with a reason")
    if any(m.into not in {s.item_id for s in data.order} for m in data.merged):
        return "merged", "an item is merged into an item kept on the agenda"
    return None


def apply_agenda(db: Database, meeting_id: int, content: dict[str, Any]) -> bool:
    """The flow applies the finalised agenda and sends it to the invitees; False when the
    content no longer fits (the flow asks the secretary again)."""
    def work(uow) -> bool:
        meeting = uow.session.get(Meeting, meeting_id)
        if meeting.status != "convened":
            return True  # applied by an earlier run
        data = _parse(AgendaFinalise, content)
        if data is None or agenda_problem(uow.session, meeting, data):
            return False
        items = {i.id: i for i in _items(uow.session, meeting.id)}
        for n, slot in enumerate(data.order, start=1):
            item = items[slot.item_id]
            item.status, item.position, item.minutes = "on-agenda", n, slot.minutes
        for d in data.dropped:
            items[d.item_id].status, items[d.item_id].drop_reason = "dropped", d.reason
        for m in data.merged:
            items[m.item_id].status, items[m.item_id].merged_into = "merged", m.into
        meeting.status = "agenda-final"
        audit.record(uow.session, ACTOR, action="meeting.agenda_finalised",
                     subject_type="meeting", subject_id=meeting.id, after=content)
        titles = "；".join(items[s.item_id].title for s in data.order)
        _tell_invitees(uow.session, meeting, "会议议程", f"议程：{titles}")
        uow.commit()
        return True

    return db.run(work)


def check_record(db: Database, calendar: WorkingCalendar, rules: MeetingRules, body: Body,
                 actor: Actor, meeting_id: int, data: MeetingRecordCreate, today: date
                 ) -> tuple[int, dict[str, Any]]:
    with db.reading() as uow:
        meeting = record_sound(uow.session, rules, actor, meeting_id, data, today)
        return _open_step(uow.session, meeting, "record"), {
            "record": "meeting", "content": data.model_dump(mode="json")}


def record_sound(session: Session, rules: MeetingRules, actor: Actor, meeting_id: int,
                 data: MeetingRecordCreate, today: date) -> Meeting:
    """The secretary's meeting, agenda final, which `data` records soundly (raises
    otherwise); checked again in the transaction that decides the work item."""
    meeting = _secretarys(session, actor, meeting_id, None, "agenda-final")
    problem = record_problem(session, rules, meeting, data, today)
    if problem:
        raise InvalidInput(problem[1], field=problem[0])
    return meeting


def record_problem(session: Session, rules: MeetingRules, meeting: Meeting,
                   data: MeetingRecordCreate, today: date) -> tuple[str, str] | None:
    period = period_of(rules.cadence(meeting.level), meeting.convened_on)
    if not (meeting.convened_on <= data.held_on <= min(today, period.end)):
        return "held_on", (f"held between convening ({meeting.convened_on}) and the end of "
                           f"{meeting.period} ({period.end}), not after today")
    for n, a in enumerate(data.attendance):
        if a.problem():
            return f"attendance.{n}", a.problem()
    invited = {i.person: i for i in _invitations(session, meeting.id)}
    unknown = {a.person for a in data.attendance} - set(invited)
    if unknown:
        return "attendance", f"not invited: {sorted(unknown)}"
    met, note = resolutions.quorum(rules, invited, data.attendance)
    if not met:
        return "attendance", f"no quorum ({note}): the meeting cannot decide"
    return resolutions.resolutions_problem(session, rules, meeting, data.resolutions)


def apply_record(db: Database, calendar: WorkingCalendar, rules: MeetingRules,
                 meeting_id: int, content: dict[str, Any], today: date) -> list[int] | None:
    """The meeting held: attendance, quorum, one resolution per agenda item, each one a case
    of the work layer for its owner. None when the content no longer fits."""
    def work(uow) -> list[int] | None:
        meeting = uow.session.get(Meeting, meeting_id)
        if meeting.status != "agenda-final":
            return [r.id for r in uow.session.scalars(select(Resolution).where(
                Resolution.meeting_id == meeting.id))]
        data = _parse(MeetingRecordCreate, content)
        if data is None or record_problem(uow.session, rules, meeting, data, today):
            return None
        invited = {i.person: i for i in _invitations(uow.session, meeting.id)}
        for a in data.attendance:
            row = invited[a.person]
            row.attendance, row.absence_reason, row.substitute_zh = (
                a.status, a.reason, a.substitute)
        meeting.held_on, meeting.place, meeting.status = data.held_on, data.place, "held"
        meeting.quorum_note = resolutions.quorum(rules, invited, data.attendance)[1]
        uow.session.get(Case, meeting.case_id).status = "held"
        audit.record(uow.session, ACTOR, action="meeting.held", subject_type="meeting",
                     subject_id=meeting.id, after={"held_on": data.held_on,
                                                   "quorum": meeting.quorum_note})
        ids = [resolutions.create(uow.session, calendar, rules, meeting, r).id
               for r in data.resolutions]
        uow.commit()
        return ids

    return db.run(work)


def check_minutes(db: Database, body: Body, actor: Actor, meeting_id: int
                  ) -> tuple[int, dict[str, Any]]:
    with db.reading() as uow:
        meeting = minutes_due(uow.session, actor, meeting_id)
        return _open_step(uow.session, meeting, "minutes"), {"record": "minutes"}


def minutes_due(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    return _secretarys(session, actor, meeting_id, None, "held")


def apply_minutes(db: Database, meeting_id: int, today: date) -> bool:
    """The minutes confirmed are published to the invitees."""
    def work(uow) -> bool:
        meeting = uow.session.get(Meeting, meeting_id)
        if meeting.status == "held":
            meeting.status, meeting.minutes_confirmed_on = "closed", today
            case = uow.session.get(Case, meeting.case_id)
            case.status, case.finished_on = "closed", today
            audit.record(uow.session, ACTOR, action="meeting.minutes_confirmed",
                         subject_type="meeting", subject_id=meeting.id,
                         after={"on": today})
            _tell_invitees(uow.session, meeting, "会议纪要",
                           f"会议纪要已发布：/api/v1/meetings/{meeting.id}/minutes")
            uow.commit()
        return True

    return db.run(work)


def get_meeting(db: Database, bodies: dict[str, Body], actor: Actor, meeting_id: int,
                today: date) -> MeetingRead:
    with db.reading() as uow:
        meeting = uow.session.get(Meeting, meeting_id)
        if meeting is None or not may_read(uow.session, actor, meeting.body_code,
                                           _member_accounts(uow.session, meeting)):
            raise NotFound(f"no meeting {meeting_id}")
        return _read(uow.session, bodies[meeting.body_code], meeting, today)


def list_meetings(db: Database, bodies: dict[str, Body], actor: Actor, body: str | None,
                  period: str | None, limit: int, offset: int) -> tuple[list[MeetingSummary],
                                                                      int]:
    stmt = select(Meeting).order_by(Meeting.convened_on.desc(), Meeting.id)
    if body:
        stmt = stmt.where(Meeting.body_code == body)
    if period:
        stmt = stmt.where(Meeting.period == period)
    with db.reading() as uow:
        rows = [m for m in uow.session.scalars(stmt)
                if may_read(uow.session, actor, m.body_code, set())]
        return [_summary(bodies[m.body_code], m) for m in rows[offset:offset + limit]], len(rows)


def may_read(session: Session, actor: Actor, body_code: str, accounts: set[str]) -> bool:
    """A secretary reaches its own body and those under it; members their meetings; auditors
    and administrators every meeting."""
    return actor.username in accounts or access.can_read(
        actor, ObjectScope(org_units=org_path(session, body_code)))


def _visible(session: Session, actor: Actor, meeting_id: int, body: Body | None) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not may_read(session, actor, meeting.body_code,
                                       _member_accounts(session, meeting)):
        raise NotFound(f"no meeting {meeting_id}")
    return meeting


def _secretarys(session: Session, actor: Actor, meeting_id: int, body: Body | None,
                status: str) -> Meeting:
    """The body's own secretaries finalise, record and confirm (the work item's group)."""
    meeting = _visible(session, actor, meeting_id, body)
    if actor.role is not Role.SECRETARY or actor.org_unit != meeting.body_code:
        raise NotFound(f"no meeting {meeting_id} among your body's")
    if meeting.status != status:
        raise Conflict(f"the meeting is {meeting.status}; this step is done or not yet due")
    return meeting


def _open_step(session: Session, meeting: Meeting, step: str) -> int:
    item = session.scalar(select(WorkItem).where(
        WorkItem.case_id == meeting.case_id, WorkItem.step == step,
        WorkItem.status.in_(["open", "claimed"])).order_by(WorkItem.id.desc()))
    if item is None:
        raise Conflict(f"the meeting's flow has not opened the {STEPS[step]} step yet; "
                       "try again in a moment")
    return item.id


def step_for(session: Session, meeting: Meeting) -> dict[str, int]:
    item = session.scalar(select(WorkItem).where(
        WorkItem.case_id == meeting.case_id, WorkItem.status.in_(["open", "claimed"])))
    return {item.step: item.id} if item else {}


def _member_accounts(session: Session, meeting: Meeting) -> set[str]:
    return {i.account for i in _invitations(session, meeting.id) if i.account}


def _invitations(session: Session, meeting_id: int) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(
        Invitation.meeting_id == meeting_id).order_by(Invitation.id)))


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position.is_(None),
                                                      AgendaItem.position, AgendaItem.id)))


def _tell_invitees(session: Session, meeting: Meeting, subject: str, body: str) -> None:
    for invitee in _invitations(session, meeting.id):
        outbox.notify(session, case_id=meeting.case_id, to=f"member:{invitee.person}",
                      subject=f"{subject}（{meeting.period}）", body=body)


def _parse(model, content: dict[str, Any]):
    try:
        return model.model_validate(content)
    except ValidationError:
        return None


def _summary(body: Body, m: Meeting) -> MeetingSummary:
    return MeetingSummary(id=m.id, body_code=m.body_code, body_name_zh=body.name_zh,
                          level=m.level, period=m.period, status=m.status,
                          convened_on=m.convened_on, matters_close_on=m.matters_close_on,
                          planned_on=m.planned_on, held_on=m.held_on)


def _read(session: Session, body: Body, m: Meeting, today: date) -> MeetingRead:
    return MeetingRead(
        **_summary(body, m).model_dump(), place=m.place, quorum_note=m.quorum_note,
        minutes_confirmed_on=m.minutes_confirmed_on,
        invitations=[InvitationRead.model_validate(i, from_attributes=True)
                     for i in _invitations(session, m.id)],
        agenda=[AgendaItemRead.model_validate(i, from_attributes=True)
                for i in _items(session, m.id)],
        resolutions=resolutions.of_meeting(session, m.id, today),
        waiting_on=step_for(session, m))


def secretary_group(body_code: str) -> str:
    return f"org:{body_code}"


def step_spec(case_id: int, body_code: str, step: str, attempt: int = 1) -> WorkItemSpec:
    """The secretary's step as a work item of the meeting's case (no deadline ladder: the
    period's end is the deadline, and a missed period is a finding)."""
    return WorkItemSpec(case_id=case_id, step=step, attempt=attempt, title=STEPS[step],
                        form="recorded", candidate_group=secretary_group(body_code),
                        due="none", deadline_kind=None, ladder=None)


def departments(session: Session) -> set[str]:
    return set(session.scalars(select(models.Department.code)))


def case_of(db: Database, meeting_id: int) -> int:
    with db.reading() as uow:
        return uow.session.get(Meeting, meeting_id).case_id


def may_read_body(db: Database, actor: Actor, body_code: str) -> bool:
    with db.reading() as uow:
        return may_read(uow.session, actor, body_code, set())


def department_names(db: Database) -> dict[str, str]:
    with db.reading() as uow:
        return dict(uow.session.execute(select(models.Department.code,
                                               models.Department.name_zh)).all())
