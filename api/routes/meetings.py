"""Joint meetings (QL-10a/b/c): bodies, meetings, matters, agenda, record, minutes, the
iCalendar invitation, resolutions and their follow-up, the compliance dashboard."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi.responses import HTMLResponse

from api.deps import CalendarDep, CurrentActor, DbDep, Id, Limit, Offset, Today
from policies.meetings.bodies import Body
from policies.meetings.cadence import MeetingRules
from policies.meetings.resolutions import Progress
from services.meetings import compliance, documents, meetings, resolutions, steps
from services.meetings.bodies import bodies, rules
from services.meetings.resolutions import Completion, Confirmation
from services.meetings.schemas import (
    AgendaFinalise,
    AgendaItemRead,
    MatterCreate,
    MeetingRead,
    MeetingRecordCreate,
    MeetingSummary,
    MinutesConfirm,
    ResolutionRead,
)
from services.meetings.steps import BodyRead
from services.platform.catalogue import Page
from services.platform.errors import NotFound
from services.platform.validation import IsoDate
from services.work.work_items import WorkItemRead

router = APIRouter(tags=["meetings"])


async def _bodies() -> dict[str, Body]:
    return bodies()


async def _rules() -> MeetingRules:
    return rules()


BodiesDep = Annotated[dict[str, Body], Depends(_bodies)]
RulesDep = Annotated[MeetingRules, Depends(_rules)]
Code = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Period = Query(default=None, pattern=r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$",
               description="2026-Q1 (district, street) or 2026-03 (community)")


@router.get("/bodies", response_model=list[BodyRead])
def list_bodies(actor: CurrentActor, db: DbDep, all_bodies: BodiesDep, today: Today,
                level: Literal["district", "street", "community"] | None = None):
    """The district joint meeting, the 4 street and 16 community committees within reach."""
    found = []
    for body in all_bodies.values():
        if level in (None, body.level):
            try:
                found.append(steps.body_page(db, actor, body, today))
            except NotFound:
                continue
    return found


@router.get("/bodies/{code}", response_model=BodyRead)
def get_body(code: Code, actor: CurrentActor, db: DbDep, all_bodies: BodiesDep, today: Today):
    """Members (full-time, part-time, with unit and term), registered leaders, and the
    resolutions still open, overdue ones flagged."""
    if code not in all_bodies:
        raise NotFound(f"no body {code}")
    return steps.body_page(db, actor, all_bodies[code], today)


@router.get("/meetings", response_model=Page[MeetingSummary])
def list_meetings(actor: CurrentActor, db: DbDep, all_bodies: BodiesDep,
                  body: Annotated[str | None, Query(max_length=64)] = None,
                  period: str | None = Period, limit: Limit = 50, offset: Offset = 0):
    """Meetings by body and period, newest first, within the caller's reach."""
    items, total = meetings.list_meetings(db, all_bodies, actor, body, period, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/meetings/{meeting_id}", response_model=MeetingRead)
def get_meeting(meeting_id: Id, actor: CurrentActor, db: DbDep, all_bodies: BodiesDep,
                today: Today):
    """The meeting with its invitations and attendance, agenda, resolutions and the step it
    waits on."""
    return meetings.get_meeting(db, all_bodies, actor, meeting_id, today)


@router.post("/meetings/{meeting_id}/matters", response_model=AgendaItemRead,
             status_code=status.HTTP_201_CREATED)
def submit_matter(meeting_id: Id, data: MatterCreate, actor: CurrentActor, db: DbDep,
                  today: Today):
    """A member submits a major matter for the meeting to decide, within the window (QL-10b)."""
    return meetings.submit_matter(db, None, actor, meeting_id, data, today)


@router.post("/meetings/{meeting_id}/agenda", response_model=WorkItemRead)
def finalise_agenda(meeting_id: Id, data: AgendaFinalise, actor: CurrentActor, db: DbDep,
                    calendar: CalendarDep, all_bodies: BodiesDep, today: Today):
    """The body's secretary orders, merges or drops (with a reason) the proposed items; the
    agenda work item is decided with it and the agenda is sent to the invitees."""
    return steps.finalise_agenda(db, calendar, all_bodies, actor, meeting_id, data, today)


@router.post("/meetings/{meeting_id}/record", response_model=WorkItemRead)
def record_meeting(meeting_id: Id, data: MeetingRecordCreate, actor: CurrentActor, db: DbDep,
                   calendar: CalendarDep, meeting_rules: RulesDep, today: Today):
    """Attendance (quorum checked), and one resolution per agenda item: kind, text, owner,
    co-owners, deadline in working days (QL-10c)."""
    return steps.record_meeting(db, calendar, meeting_rules, actor, meeting_id, data, today)


@router.post("/meetings/{meeting_id}/minutes/confirmation", response_model=WorkItemRead)
def confirm_minutes(meeting_id: Id, data: MinutesConfirm, actor: CurrentActor, db: DbDep,
                    calendar: CalendarDep, today: Today):
    """The secretary confirms the minutes; they are published to the invitees."""
    return steps.confirm_minutes(db, calendar, actor, meeting_id, data, today)


@router.get("/meetings/{meeting_id}/minutes", response_class=HTMLResponse)
def minutes(meeting_id: Id, actor: CurrentActor, db: DbDep, all_bodies: BodiesDep,
            today: Today):
    """The minutes (Chinese, printable HTML): a draft until the secretary confirms them."""
    meeting = meetings.get_meeting(db, all_bodies, actor, meeting_id, today)
    if meeting.held_on is None:
        raise NotFound(f"meeting {meeting_id} has not been held: no minutes yet")
    return HTMLResponse(documents.minutes_html(meeting, meetings.department_names(db)))


@router.get("/meetings/{meeting_id}/invitation.ics", response_class=Response, responses={
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}},
          "description": "the invitation (RFC 5545)"}})
def invitation(meeting_id: Id, actor: CurrentActor, db: DbDep, all_bodies: BodiesDep,
               today: Today) -> Response:
    """The invitation as an iCalendar event members add to their calendars."""
    meeting = meetings.get_meeting(db, all_bodies, actor, meeting_id, today)
    return Response(documents.invitation_ics(meeting), media_type="text/calendar",
                    headers={"Content-Disposition":
                             f'attachment; filename="meeting-{meeting_id}.ics"'})


@router.get("/resolutions", response_model=Page[ResolutionRead])
def list_resolutions(actor: CurrentActor, db: DbDep, today: Today,
                     owner: Annotated[str | None, Query(max_length=64)] = None,
                     status_: Annotated[Literal["assigned", "accepted", "reported",
                                                "completed", "closed"] | None,
                                        Query(alias="status")] = None,
                     body: Annotated[str | None, Query(max_length=64)] = None,
                     overdue: bool = False,
                     as_of: Annotated[IsoDate | None, Query(
                         description="judge overdue on this day (a report for a past or "
                                     "coming day); today by default")] = None,
                     limit: Limit = 50, offset: Offset = 0):
    """Resolutions by owner, status, body, or only the overdue ones, within reach."""
    items, total = resolutions.search(db, actor, as_of or today, owner=owner, status=status_,
                                      body=body, only_overdue=overdue, limit=limit,
                                      offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/resolutions/{rid}", response_model=ResolutionRead)
def get_resolution(rid: Id, actor: CurrentActor, db: DbDep, today: Today):
    return resolutions.get(db, actor, rid, today)


@router.post("/resolutions/{rid}/progress", response_model=ResolutionRead)
def report_progress(rid: Id, data: Progress, actor: CurrentActor, db: DbDep, today: Today):
    """承办/反馈: the owner department reports a percentage and what was done."""
    return resolutions.report_progress(db, actor, rid, data, today)


@router.post("/resolutions/{rid}/completion", response_model=ResolutionRead)
def complete(rid: Id, data: Completion, actor: CurrentActor, db: DbDep,
             calendar: CalendarDep, today: Today):
    """办结: the owner describes the result; the body's secretary is asked to confirm."""
    return steps.complete_resolution(db, calendar, actor, rid, data, today)


@router.post("/resolutions/{rid}/confirmation", response_model=ResolutionRead)
def confirm(rid: Id, data: Confirmation, actor: CurrentActor, db: DbDep,
            calendar: CalendarDep, today: Today):
    """评价: the secretary closes the resolution, or sends it back to the owner."""
    return steps.confirm_resolution(db, calendar, actor, rid, data, today)


@router.get("/dashboard/meetings", response_model=compliance.MeetingsDashboard)
def dashboard(actor: CurrentActor, db: DbDep, all_bodies: BodiesDep, today: Today,
              level: Literal["district", "street", "community"] | None = None,
              period: str | None = Period):
    """Each body's periods: meeting held or missed (a finding), resolutions and their on-time
    closure rate."""
    return compliance.dashboard(
        db, all_bodies, today, level=level, period=period,
        allowed=lambda code: meetings.may_read_body(db, actor, code))
