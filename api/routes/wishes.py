"""Micro-wishes (微心愿, HC-08): residents post, units and members claim, residents confirm."""

from typing import Annotated

from fastapi import APIRouter, Depends, status

from api.deps import CurrentActor, DbDep, Id, Today
from policies.wishes.rules import WishRules
from services.wishes import reference, wishes
from services.wishes.wishes import Assignment, Fulfilment, WishPost, WishRead

router = APIRouter(prefix="/wishes", tags=["wishes"])


async def _rules() -> WishRules:
    return reference.rules()


RulesDep = Annotated[WishRules, Depends(_rules)]


@router.post("", response_model=WishRead, status_code=status.HTTP_201_CREATED)
def post(data: WishPost, actor: CurrentActor, db: DbDep, rules: RulesDep, today: Today
         ) -> WishRead:
    """A resident (signed in with its own number) posts a wish in its community."""
    return wishes.post(db, rules, actor, data, today)


@router.get("/board/{community}", response_model=list[WishRead])
def board(community: str, actor: CurrentActor, db: DbDep, rules: RulesDep) -> list[WishRead]:
    """The community's board (心愿墙): open wishes, oldest first; residents' names shortened."""
    return wishes.board(db, rules, actor, community)


@router.get("/{case_id}", response_model=WishRead)
def get_wish(case_id: Id, actor: CurrentActor, db: DbDep, rules: RulesDep) -> WishRead:
    return wishes.get(db, rules, actor, case_id)


@router.post("/{case_id}/claim", response_model=WishRead)
def claim(case_id: Id, actor: CurrentActor, db: DbDep, rules: RulesDep) -> WishRead:
    """认领 by a unit (a department) or a member (a grid member, a secretary)."""
    return wishes.claim(db, rules, actor, case_id)


@router.post("/{case_id}/assignment", response_model=WishRead)
def assign(case_id: Id, data: Assignment, actor: CurrentActor, db: DbDep, rules: RulesDep
           ) -> WishRead:
    """派单: the community gives the wish to one of its paired units (双向认领)."""
    return wishes.assign(db, rules, actor, case_id, data)


@router.post("/{case_id}/fulfilment", response_model=WishRead)
def fulfil(case_id: Id, data: Fulfilment, actor: CurrentActor, db: DbDep, rules: RulesDep
           ) -> WishRead:
    return wishes.fulfil(db, rules, actor, case_id, data)


@router.post("/{case_id}/confirmation", response_model=WishRead)
def confirm(case_id: Id, actor: CurrentActor, db: DbDep, rules: RulesDep) -> WishRead:
    """确认: only the resident who posted the wish (403 for anyone else)."""
    return wishes.confirm(db, rules, actor, case_id)
