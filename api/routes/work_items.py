"""The work-item queue and what people do on an item. Every change takes an optional
If-Match (the version last read) and answers 409 when the item changed meanwhile."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CalendarDep, CurrentActor, DbDep, ExpectedVersion, Id, Limit, Offset, Today
from policies.work_items import Status
from services.platform.validation import IsoDate
from services.work import work_items
from services.work.work_items import QueueFilter, WorkItemRead

router = APIRouter(prefix="/work-items", tags=["work items"])


class AssignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(max_length=64)


class DelegateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delegate: str = Field(max_length=64)


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(min_length=1, max_length=2000)


class ReturnBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_step: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)
    reasons: str = Field(min_length=1, max_length=2000)


class AddSignerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str = Field(pattern=r"^(department|station|org):[a-z0-9-]+$", max_length=100)
    position: Literal["before", "after"]


class UrgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=500)


Decision = Annotated[dict[str, Any], Body(
    description="the fields of the item's form, e.g. for `approval`: "
                '{"outcome": "reject", "reasons": "…"}',
    examples=[{"outcome": "approve"}])]


def _etag(response: Response, item: WorkItemRead) -> WorkItemRead:
    response.headers["ETag"] = f'"{item.version}"'
    return item


@router.get("", response_model=list[WorkItemRead])
def queue(actor: CurrentActor, db: DbDep, candidate_group: str | None = None,
          department: str | None = None, assignee: str | None = None,
          status: Status | None = None, due_before: IsoDate | None = None, limit: Limit = 50,
          offset: Offset = 0):
    """The items the caller's groups may work on, soonest due first. `department=x` is
    short for `candidate_group=department:x` (a department's queue)."""
    group = candidate_group or (department and f"department:{department}")
    filters = QueueFilter(candidate_group=group, assignee=assignee, status=status,
                          due_before=due_before)
    return work_items.queue(db, actor, filters, limit=limit, offset=offset)


@router.get("/{item_id}", response_model=WorkItemRead)
def get(item_id: Id, actor: CurrentActor, db: DbDep, response: Response):
    return _etag(response, work_items.get(db, actor, item_id))


@router.get("/{item_id}/history")
def history(item_id: Id, actor: CurrentActor, db: DbDep) -> list[dict[str, Any]]:
    return work_items.history(db, actor, item_id)


@router.post("/{item_id}/claim", response_model=WorkItemRead)
def claim(item_id: Id, actor: CurrentActor, db: DbDep, version: ExpectedVersion,
          response: Response):
    return _etag(response, work_items.claim(db, actor, item_id, version))


@router.post("/{item_id}/unclaim", response_model=WorkItemRead)
def unclaim(item_id: Id, actor: CurrentActor, db: DbDep, version: ExpectedVersion,
            response: Response):
    return _etag(response, work_items.unclaim(db, actor, item_id, version))


@router.post("/{item_id}/assign", response_model=WorkItemRead)
def assign(item_id: Id, body: AssignBody, actor: CurrentActor, db: DbDep,
           version: ExpectedVersion, response: Response):
    """转办: hand the item to another member of its group."""
    return _etag(response, work_items.assign(db, actor, item_id, body.assignee, version))


@router.post("/{item_id}/delegate", response_model=WorkItemRead)
def delegate(item_id: Id, body: DelegateBody, actor: CurrentActor, db: DbDep,
             version: ExpectedVersion, response: Response):
    """委派: lend the item to a colleague; their answer returns it to you."""
    return _etag(response, work_items.delegate(db, actor, item_id, body.delegate, version))


@router.post("/{item_id}/resolve", response_model=WorkItemRead)
def resolve(item_id: Id, body: ResolveBody, actor: CurrentActor, db: DbDep,
            version: ExpectedVersion, response: Response):
    return _etag(response, work_items.resolve(db, actor, item_id, body.answer, version))


@router.post("/{item_id}/decision", response_model=WorkItemRead)
def decide(item_id: Id, decision: Decision, actor: CurrentActor, db: DbDep,
           calendar: CalendarDep, today: Today, version: ExpectedVersion, response: Response):
    """Complete the item with a decision on its form; the waiting process continues with it."""
    item = work_items.decide(db, calendar, actor, item_id, decision, today, version)
    return _etag(response, item)


@router.post("/{item_id}/withdraw", response_model=WorkItemRead)
def withdraw(item_id: Id, actor: CurrentActor, db: DbDep, version: ExpectedVersion,
             response: Response):
    """撤回: take your decision back while nobody has acted on what followed; the case waits
    at this step for you again."""
    return _etag(response, work_items.withdraw(db, actor, item_id, version))


@router.post("/{item_id}/return", response_model=WorkItemRead)
def return_to(item_id: Id, body: ReturnBody, actor: CurrentActor, db: DbDep,
              version: ExpectedVersion, response: Response):
    """退回: send the case back to a named earlier step with reasons."""
    item = work_items.return_to(db, actor, item_id, body.to_step, body.reasons, version)
    return _etag(response, item)


@router.post("/{item_id}/add-signer", response_model=WorkItemRead)
def add_signer(item_id: Id, body: AddSignerBody, actor: CurrentActor, db: DbDep,
               version: ExpectedVersion, response: Response):
    """加签: add a group to this 会签 stage; `before` means it must sign before you do."""
    item = work_items.add_signer(db, actor, item_id, body.group, body.position, version)
    return _etag(response, item)


@router.post("/{item_id}/urge", response_model=WorkItemRead)
def urge(item_id: Id, body: UrgeBody, actor: CurrentActor, db: DbDep, response: Response):
    """催办: press for an answer; recorded and sent to whoever holds the item."""
    return _etag(response, work_items.urge(db, actor, item_id, body.message))
