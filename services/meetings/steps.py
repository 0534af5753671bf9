"""What the secretaries and owners do through the API, each one checked here and then handed
to the work layer as the decision of its work item (the flow, waiting on it, goes on)."""

from datetime import date

from pydantic import BaseModel
from sqlalchemy import select

from policies.access import Actor
from policies.calendar import WorkingCalendar
from policies.meetings.bodies import Body
from policies.meetings.cadence import MeetingRules
from policies.meetings.resolutions import OPEN
from services.meetings import meetings, resolutions
from services.meetings.models import Resolution
from services.meetings.resolutions import Completion, Confirmation
from services.meetings.schemas import (
    AgendaFinalise,
    MeetingRecordCreate,
    MinutesConfirm,
    ResolutionRead,
)
from services.platform.db.uow import Database
from services.platform.errors import NotFound
from services.work import work_items
from services.work.work_items import WorkItemRead


def finalise_agenda(db: Database, calendar: WorkingCalendar, bodies: dict[str, Body],
                    actor: Actor, meeting_id: int, data: AgendaFinalise, today: date
                    ) -> WorkItemRead:
    item_id, decision = meetings.check_agenda(db, None, actor, meeting_id, data)
    return work_items.decide(db, calendar, actor, item_id, decision, today, alongside=(
        lambda s: meetings.agenda_sound(s, actor, meeting_id, data)))


def record_meeting(db: Database, calendar: WorkingCalendar, rules: MeetingRules, actor: Actor,
                   meeting_id: int, data: MeetingRecordCreate, today: date) -> WorkItemRead:
    item_id, decision = meetings.check_record(db, calendar, rules, None, actor, meeting_id,
                                              data, today)
    return work_items.decide(db, calendar, actor, item_id, decision, today, alongside=(
        lambda s: meetings.record_sound(s, rules, actor, meeting_id, data, today)))


def confirm_minutes(db: Database, calendar: WorkingCalendar, actor: Actor, meeting_id: int,
                    data: MinutesConfirm, today: date) -> WorkItemRead:
    item_id, decision = meetings.check_minutes(db, None, actor, meeting_id)
    decision["content"] = data.model_dump()
    return work_items.decide(db, calendar, actor, item_id, decision, today, alongside=(
        lambda s: meetings.minutes_due(s, actor, meeting_id)))


def complete_resolution(db: Database, calendar: WorkingCalendar, actor: Actor, rid: int,
                        data: Completion, today: date) -> ResolutionRead:
    """办结: the owner's work item is decided with the result and the body's secretaries are
    asked to confirm it, in one transaction."""
    item_id = resolutions.follow_up_item(db, actor, rid)
    work_items.decide(db, calendar, actor, item_id,
                      {"record": "resolution-done", "content": data.model_dump()}, today,
                      alongside=lambda s: resolutions.complete_in(
                          s, actor, rid, data, today, meetings.secretary_group))
    return resolutions.get(db, actor, rid, today)


def confirm_resolution(db: Database, calendar: WorkingCalendar, actor: Actor, rid: int,
                       data: Confirmation, today: date) -> ResolutionRead:
    """评价: the confirmation item decided and the resolution closed (or sent back with a new
    item for its owner), in one transaction."""
    item_id = resolutions.confirmation_item(db, actor, rid)
    work_items.decide(db, calendar, actor, item_id,
                      {"record": "resolution-confirmation", "content": data.model_dump()}, today,
                      alongside=lambda s: resolutions.confirm_in(s, actor, rid, data, today))
    return resolutions.get(db, actor, rid, today)


class BodyRead(BaseModel):
    code: str
    name_zh: str
    level: str
    parent: str | None
    members: list[dict]
    registered_leaders: list[dict]
    open_resolutions: list[ResolutionRead]


def body_page(db: Database, actor: Actor, body: Body, today: date) -> BodyRead:
    """The body, its members and its resolutions still open (overdue ones flagged)."""
    with db.reading() as uow:
        if not meetings.may_read(uow.session, actor, body.code, body.accounts_on(today)):
            raise NotFound(f"no body {body.code}")
        rows = uow.session.scalars(select(Resolution).where(
            Resolution.body_code == body.code, Resolution.status.in_(OPEN))
            .order_by(Resolution.deadline))
        open_ones = [resolutions.read_model(uow.session, r, today) for r in rows]
    return BodyRead(
        code=body.code, name_zh=body.name_zh, level=body.level, parent=body.parent,
        members=[m.model_dump(mode="json", exclude={"account"}) for m in body.members],
        registered_leaders=[lead.model_dump(mode="json") for lead in body.registered_leaders],
        open_resolutions=open_ones)
