"""The red forum (LK-13a/b): forums with their proposed topics and actions, recording a forum
through its work item, actions' results and confirmation, the secretaries' reserve record."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import CalendarDep, CurrentActor, DbDep, Id, Today
from policies.red_forum.forum import ForumRules
from services.red_forum import actions, forums, reserve
from services.red_forum.actions import ActionRead, ActionResult, ForumRead, ForumSummary
from services.red_forum.forums import ForumRecord
from services.red_forum.reserve import ReserveRecord, SelectionCreate, TrainingCreate
from services.work import work_items
from services.work.work_items import WorkItemRead

router = APIRouter(prefix="/forum", tags=["red-forum"])
Person = Annotated[str, Path(pattern=r"^secretary-[a-z0-9-]{1,60}$")]


async def _rules() -> ForumRules:
    return forums.forum_rules()


RulesDep = Annotated[ForumRules, Depends(_rules)]


@router.get("/forums", response_model=list[ForumSummary])
def list_forums(actor: CurrentActor, db: DbDep, rules: RulesDep):
    """Every quarter's forum (organisers, auditors and the secretaries taking part)."""
    return actions.list_forums(db, actor, rules)


@router.get("/forums/{forum_id}", response_model=ForumRead)
def get_forum(forum_id: Id, actor: CurrentActor, db: DbDep, rules: RulesDep, today: Today):
    """Topics proposed from last quarter's hard cases, ranked, with their evidence; the topics
    picked and added; the actions and where they stand."""
    return actions.get_forum(db, actor, rules, forum_id, today)


@router.post("/forums/{forum_id}/record", response_model=WorkItemRead)
def record_forum(forum_id: Id, data: ForumRecord, actor: CurrentActor, db: DbDep,
                 calendar: CalendarDep, rules: RulesDep, today: Today):
    """An organiser records the forum: attendance, topics picked or added, actions."""
    item_id, decision = forums.check_record(db, actor, forum_id, data, today, rules)
    return work_items.decide(db, calendar, actor, item_id, decision, today)


@router.post("/actions/{action_id}/completion", response_model=ActionRead)
def complete_action(action_id: Id, data: ActionResult, actor: CurrentActor, db: DbDep,
                    calendar: CalendarDep, today: Today):
    return actions.complete(db, calendar, actor, action_id, data, today)


@router.post("/actions/{action_id}/confirmation", response_model=ActionRead)
def confirm_action(action_id: Id, actor: CurrentActor, db: DbDep, rules: RulesDep,
                   today: Today):
    return actions.confirm(db, actor, rules, action_id, today)


@router.get("/reserve/{person}", response_model=ReserveRecord)
def reserve_record(person: Person, actor: CurrentActor, db: DbDep, rules: RulesDep):
    """A community secretary's record: forums attended, trainings, selections with reasons."""
    return reserve.read(db, actor, rules, person)


@router.post("/reserve/{person}/trainings", response_model=ReserveRecord)
def record_training(person: Person, data: TrainingCreate, actor: CurrentActor, db: DbDep,
                    rules: RulesDep):
    return reserve.record_training(db, actor, rules, person, data)


@router.post("/reserve/{person}/selections", response_model=ReserveRecord)
def select_assistant(person: Person, data: SelectionCreate, actor: CurrentActor, db: DbDep,
                     rules: RulesDep):
    """The selection of a secretary assistant (书记助理): a decision with its reasons."""
    return reserve.select_assistant(db, actor, rules, person, data)
