"""The forum read back, and its actions followed to closure like a meeting's resolutions: the
owner reports the result (deciding its work item), an organiser confirms it."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from policies.access import Actor, Role
from policies.calendar import WorkingCalendar
from policies.red_forum.forum import ForumRules
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, NotFound
from services.red_forum.forums import is_organiser
from services.red_forum.models import Forum, ForumAction, ForumTopic
from services.work import work_items
from services.work.models import Case, Escalation, WorkItem


class TopicRead(BaseModel):
    id: int
    source: str
    case_id: int | None
    title: str
    score: int | None
    evidence: dict | None
    status: str


class ActionRead(BaseModel):
    id: int
    topic_id: int
    case_id: int
    text: str
    owner: str
    deadline: date
    status: str
    result: str | None
    closed_on: date | None
    overdue: bool
    escalations: int


class ForumSummary(BaseModel):
    id: int
    quarter: str
    status: str


class ForumRead(BaseModel):
    id: int
    quarter: str
    looks_back_on: str
    status: str
    convened_on: date
    held_on: date | None
    topics: list[TopicRead]
    actions: list[ActionRead]


class ActionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(min_length=2, max_length=4000)


def may_read(actor: Actor, rules: ForumRules) -> bool:
    """Organisers, auditors and the community secretaries who take part."""
    return is_organiser(actor, rules) or actor.role in (Role.AUDITOR, Role.SECRETARY)


def get_forum(db: Database, actor: Actor, rules: ForumRules, forum_id: int, today: date
              ) -> ForumRead:
    with db.reading() as uow:
        forum = uow.session.get(Forum, forum_id)
        if forum is None or not may_read(actor, rules):
            raise NotFound(f"no forum {forum_id}")
        topics = list(uow.session.scalars(select(ForumTopic).where(
            ForumTopic.forum_id == forum.id).order_by(ForumTopic.score.desc().nulls_last(),
                                                      ForumTopic.id)))
        actions = uow.session.scalars(select(ForumAction).where(
            ForumAction.topic_id.in_([t.id for t in topics])).order_by(ForumAction.id))
        return ForumRead(
            id=forum.id, quarter=forum.quarter, looks_back_on=forum.looks_back_on,
            status=forum.status, convened_on=forum.convened_on, held_on=forum.held_on,
            topics=[TopicRead.model_validate(t, from_attributes=True) for t in topics],
            actions=[_action(uow.session, a, today) for a in actions])


def list_forums(db: Database, actor: Actor, rules: ForumRules) -> list[ForumSummary]:
    if not may_read(actor, rules):
        return []
    with db.reading() as uow:
        return [ForumSummary.model_validate(f, from_attributes=True)
                for f in uow.session.scalars(select(Forum).order_by(Forum.quarter))]


def complete(db: Database, calendar: WorkingCalendar, actor: Actor, aid: int,
             data: ActionResult, today: date) -> ActionRead:
    with db.reading() as uow:
        a = uow.session.get(ForumAction, aid)
        if a is None or actor.role is not Role.OFFICER or actor.department != a.owner:
            raise NotFound(f"no forum action {aid} owned by your department")
        if a.status != "assigned":
            raise Conflict(f"the action is {a.status}")
        item = uow.session.scalar(select(WorkItem.id).where(
            WorkItem.case_id == a.case_id, WorkItem.status.in_(["open", "claimed"])))
    work_items.decide(db, calendar, actor, item, {"record": "forum-action-done",
                                                  "content": data.model_dump()}, today)
    return _change(db, actor, aid, today, status="completed", result=data.result)


def confirm(db: Database, actor: Actor, rules: ForumRules, aid: int, today: date
            ) -> ActionRead:
    if not is_organiser(actor, rules):
        raise NotFound(f"no forum action {aid}")
    return _change(db, actor, aid, today, status="closed", closed_on=today,
                   expected="completed")


def _change(db: Database, actor: Actor, aid: int, today: date, expected: str | None = None,
            **values) -> ActionRead:
    def work(uow) -> ActionRead:
        a = uow.session.get(ForumAction, aid)
        if a is None:
            raise NotFound(f"no forum action {aid}")
        if expected and a.status != expected:
            raise Conflict(f"the action is {a.status}; the owner reports the result first")
        for name, value in values.items():
            setattr(a, name, value)
        if a.status == "closed":
            uow.session.get(Case, a.case_id).status = "closed"
        audit.record(uow.session, actor, action=f"forum_action.{a.status}",
                     subject_type="forum_action", subject_id=a.id,
                     after={"status": a.status, "result": a.result})
        uow.commit()
        return _action(uow.session, a, today)

    return db.run(work)


def _action(session, a: ForumAction, today: date) -> ActionRead:
    escalated = session.scalar(select(func.count()).select_from(Escalation).where(
        Escalation.case_id == a.case_id))
    return ActionRead(id=a.id, topic_id=a.topic_id, case_id=a.case_id, text=a.text,
                      owner=a.owner, deadline=a.deadline, status=a.status, result=a.result,
                      closed_on=a.closed_on, escalations=escalated,
                      overdue=a.status != "closed" and today > a.deadline)
