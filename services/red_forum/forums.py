"""The red forum (红心论坛, LK-13a): convened each quarter with topics the system proposes
from the previous quarter's hard cases — read through the work layer only (cases, work items,
escalations of any process: escalated approvals, overdue meeting resolutions, bad ratings with
their rectification) — ranked with their evidence; the organiser picks and adds topics and
records the forum; each topic's actions are followed as cases of the work layer."""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from policies.access import Actor, Role
from policies.calendar import WorkingCalendar, quarter_of
from policies.red_forum.forum import ForumRules, HardCase, rank_topics
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.platform.reference_data import read_entry
from services.platform.validation import IsoDate
from services.red_forum.models import Forum, ForumAction, ForumTopic, ReserveEntry
from services.work import cases, outbox, work_items
from services.work.models import Case, Escalation, WorkItem
from services.work.work_items import WorkItemSpec

PROCESS, ACTION_PROCESS = "red-forum", "forum-action"
DEPLOYMENT = "red-forum/quarterly"  # flows/worker.py
ACTOR = cases.process_actor(PROCESS)
RESOLUTION_PROCESS = "meeting-resolution"  # a case process name, read as data


@cache
def forum_rules() -> ForumRules:
    return read_entry(ForumRules, files("policies.red_forum") / "data" / "forum.yaml", "forum")


def hard_cases(session: Session, start: date, end: date) -> list[HardCase]:
    """The quarter's hard cases across processes, as the work layer records them."""
    found: dict[int, dict[str, Any]] = {}
    escalated = session.execute(select(Escalation.case_id, func.max(Escalation.level)).where(
        Escalation.applied_on.between(start, end)).group_by(Escalation.case_id))
    for case_id, level in escalated:
        found.setdefault(case_id, {})["escalation_level"] = level
    for (case_id,) in session.execute(select(Case.id).where(
            Case.process == RESOLUTION_PROCESS, Case.status != "closed", Case.due_on <= end)):
        found.setdefault(case_id, {})["open_resolution"] = True
    for (case_id,) in session.execute(select(WorkItem.case_id).where(
            WorkItem.step == "rectification",
            func.date(WorkItem.created_at).between(start, end))):
        found.setdefault(case_id, {})["rectification"] = True
    rows = session.scalars(select(Case).where(Case.id.in_(found))) if found else []
    return [HardCase(case_id=c.id, process=c.process, subject=c.subject, due_on=c.due_on,
                     **found[c.id]) for c in rows]


def convene(db: Database, calendar: WorkingCalendar, rules: ForumRules, today: date,
            flow_run_id: str | None) -> int:
    """This quarter's forum, with topics proposed from the quarter before. Idempotent."""
    quarter, start, _ = quarter_of(today)
    past, p_start, p_end = quarter_of(start - timedelta(days=1))

    def work(uow) -> int:
        existing = uow.session.scalar(select(Forum.id).where(Forum.quarter == quarter))
        if existing:
            return existing
        now = datetime.now(UTC)
        case = Case(process=PROCESS, process_version=1, status="convened",
                    subject=f"红心论坛（{quarter}）", details={
                        "quarter": quarter, "rerun": outbox.rerun(DEPLOYMENT, on=today)},
                    accepted_on=today, due_on=quarter_of(today)[2], flow_run_id=flow_run_id,
                    created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        forum = Forum(quarter=quarter, looks_back_on=past, case_id=case.id, status="convened",
                      convened_on=today, created_at=now)
        uow.session.add(forum)
        uow.session.flush()
        for t in rank_topics(hard_cases(uow.session, p_start, p_end), rules, calendar, p_end):
            uow.session.add(ForumTopic(forum_id=forum.id, source="proposed", status="proposed",
                                       **t.model_dump()))
        audit.record(uow.session, ACTOR, action="forum.convened", subject_type="red_forum",
                     subject_id=forum.id, after={"quarter": quarter, "looks_back_on": past})
        for code in _community_codes(uow.session):
            outbox.notify(uow.session, case_id=case.id, to=f"secretary:{code}",
                          subject=f"红心论坛（{quarter}）", body="请参加本季度红心论坛。")
        uow.commit()
        return forum.id

    return db.run(work)


class TopicChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic_id: int | None = Field(default=None, ge=1, description="a proposed topic picked")
    title: str | None = Field(default=None, min_length=2, max_length=200,
                              description="a topic the organiser adds")


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: int = Field(ge=0, le=50, description="index into topics")
    text: str = Field(min_length=2, max_length=4000)
    owner: str = Field(min_length=1, max_length=64)
    working_days: int = Field(ge=1, le=120)


class ForumRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: IsoDate
    attended: list[str] = Field(min_length=1, max_length=50,
                                description="the community secretaries' accounts present")
    topics: list[TopicChoice] = Field(min_length=1, max_length=20)
    actions: list[ActionCreate] = Field(min_length=1, max_length=60)


def record_problem(session: Session, forum: Forum, data: ForumRecord, today: date
                   ) -> tuple[str, str] | None:
    if not forum.convened_on <= data.held_on <= today:
        return "held_on", f"held between {forum.convened_on} and today"
    secretaries = {f"secretary-{c}" for c in _community_codes(session)}
    if set(data.attended) - secretaries:
        return "attended", f"not community secretaries: {sorted(set(data.attended) - secretaries)}"
    proposed = set(session.scalars(select(ForumTopic.id).where(
        ForumTopic.forum_id == forum.id, ForumTopic.source == "proposed")))
    for n, t in enumerate(data.topics):
        if (t.topic_id is None) == (t.title is None):
            return f"topics.{n}", "pick a proposed topic (topic_id) or add one (title)"
        if t.topic_id is not None and t.topic_id not in proposed:
            return f"topics.{n}.topic_id", f"not a topic proposed for {forum.quarter}"
    if {a.topic for a in data.actions} != set(range(len(data.topics))):
        return "actions", "every topic chosen ends in at least one action, and only those"
    known = set(session.scalars(select(models.Department.code)))
    for n, a in enumerate(data.actions):
        if a.owner not in known:
            return f"actions.{n}.owner", f"no department '{a.owner}'"
    return None


def check_record(db: Database, actor: Actor, forum_id: int, data: ForumRecord, today: date,
                 rules: ForumRules) -> tuple[int, dict[str, Any]]:
    with db.reading() as uow:
        forum = _organisers(uow.session, actor, forum_id, rules)
        if forum.status != "convened":
            raise Conflict(f"the forum of {forum.quarter} is recorded already")
        problem = record_problem(uow.session, forum, data, today)
        if problem:
            raise InvalidInput(problem[1], field=problem[0])
        item = uow.session.scalar(select(WorkItem.id).where(
            WorkItem.case_id == forum.case_id, WorkItem.step == "record",
            WorkItem.status.in_(["open", "claimed"])))
        if item is None:
            raise Conflict("the forum's flow has not opened the record step yet")
        return item, {"record": "forum", "content": data.model_dump(mode="json")}


def apply_record(db: Database, calendar: WorkingCalendar, forum_id: int,
                 content: dict[str, Any], today: date) -> list[int] | None:
    """The forum held: topics picked and added, actions as cases, the attendance on each
    secretary's reserve record."""
    def work(uow) -> list[int] | None:
        forum = uow.session.get(Forum, forum_id)
        if forum.status == "held":
            return _action_ids(uow.session, forum.id)
        try:
            data = ForumRecord.model_validate(content)
        except ValidationError:
            return None
        if record_problem(uow.session, forum, data, today):
            return None
        forum.held_on = data.held_on  # the actions' deadlines count from it
        topics = [_topic(uow.session, forum, t) for t in data.topics]
        for a in data.actions:
            _action(uow.session, calendar, forum, topics[a.topic], a)
        for person in data.attended:
            uow.session.add(ReserveEntry(person=person, kind="forum", on=data.held_on,
                                         forum_id=forum.id, recorded_by=ACTOR.username,
                                         at=datetime.now(UTC)))
        forum.status, forum.held_on = "held", data.held_on
        uow.session.get(Case, forum.case_id).status = "held"
        audit.record(uow.session, ACTOR, action="forum.held", subject_type="red_forum",
                     subject_id=forum.id, after=content)
        uow.commit()
        return _action_ids(uow.session, forum.id)

    return db.run(work)


def close_case(db: Database, forum_id: int, today: date) -> None:
    """The forum's run is done once its actions are their owners' work (tracked as cases of
    their own): the forum's case ends (cases.finish: its day, audited), and the reconciler
    leaves it."""
    with db.reading() as uow:
        case_id = uow.session.get(Forum, forum_id).case_id
    cases.finish(db, case_id, "closed", {"forum": forum_id}, today)


def open_follow_up(db: Database, action_ids: list[int]) -> None:
    for aid in action_ids:
        with db.reading() as uow:
            a = uow.session.get(ForumAction, aid)
            spec = WorkItemSpec(case_id=a.case_id, step="follow-up",
                                title=f"论坛议定事项：{a.text}"[:200], form="recorded",
                                candidate_group=f"department:{a.owner}", due="none",
                                due_on=a.deadline, deadline_kind=None,
                                ladder="department-deadline")
        work_items.open_item(db, spec)


def _topic(session: Session, forum: Forum, choice: TopicChoice) -> ForumTopic:
    if choice.topic_id is not None:
        topic = session.get(ForumTopic, choice.topic_id)
        topic.status = "picked"
        return topic
    topic = ForumTopic(forum_id=forum.id, source="added", status="picked", title=choice.title,
                       added_by="organiser")
    session.add(topic)
    session.flush()
    return topic


def _action(session: Session, calendar: WorkingCalendar, forum: Forum, topic: ForumTopic,
            a: ActionCreate) -> None:
    deadline = calendar.add_working_days(forum.held_on, a.working_days)
    now = datetime.now(UTC)
    case = Case(process=ACTION_PROCESS, process_version=1, status="tracking",
                department_code=a.owner, subject=f"论坛议定：{a.text}"[:200],
                details={"forum": forum.id, "topic": topic.id}, accepted_on=forum.held_on,
                due_on=deadline, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    session.add(ForumAction(topic_id=topic.id, case_id=case.id, text=a.text, owner=a.owner,
                            deadline=deadline, status="assigned"))


def _action_ids(session: Session, forum_id: int) -> list[int]:
    return list(session.scalars(select(ForumAction.id).join(ForumTopic).where(
        ForumTopic.forum_id == forum_id).order_by(ForumAction.id)))


def community_codes(db: Database) -> list[str]:
    with db.reading() as uow:
        return _community_codes(uow.session)


def _community_codes(session: Session) -> list[str]:
    return list(session.scalars(select(models.OrgUnit.code).where(
        models.OrgUnit.level == "community").order_by(models.OrgUnit.code)))


def is_organiser(actor: Actor, rules: ForumRules) -> bool:
    return actor.role is Role.ADMIN or (
        actor.role is Role.SECRETARY and actor.org_unit in rules.organiser_units)


def _organisers(session: Session, actor: Actor, forum_id: int, rules: ForumRules) -> Forum:
    forum = session.get(Forum, forum_id)
    if forum is None or not is_organiser(actor, rules):
        raise NotFound(f"no forum {forum_id}")
    return forum


def case_of(db: Database, forum_id: int) -> int:
    with db.reading() as uow:
        return uow.session.get(Forum, forum_id).case_id


def record_spec(case_id: int, rules: ForumRules, attempt: int = 1) -> WorkItemSpec:
    """The organisers' step: record the forum (no ladder: the quarter is its deadline)."""
    return WorkItemSpec(case_id=case_id, step="record", attempt=attempt,
                        title="记录红心论坛（议题、出席、议定事项）", form="recorded",
                        candidate_group=f"org:{rules.organiser_units[0]}", due="none",
                        deadline_kind=None, ladder=None)
