"""Whistle-and-report (吹哨报到, QL-14, LK-09b) on an issue: whistle, summon, report, stay."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status

from api.deps import CurrentActor, DbDep, Id
from policies.escalation import Ladder
from policies.whistle.rules import WhistleRules
from services.whistle import reference, whistles
from services.whistle.whistles import Report, SummonsCreate, WhistleCreate, WhistleRead

router = APIRouter(prefix="/issues", tags=["whistle"])


async def _rules() -> WhistleRules:
    return reference.rules()


async def _ladder() -> Ladder:
    return reference.ladder()


RulesDep = Annotated[WhistleRules, Depends(_rules)]
LadderDep = Annotated[Ladder, Depends(_ladder)]


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/{case_id}/whistle", response_model=WhistleRead,
             status_code=status.HTTP_201_CREATED)
def blow(case_id: Id, data: WhistleCreate, actor: CurrentActor, db: DbDep, rules: RulesDep,
         ladder: LadderDep) -> WhistleRead:
    """吹哨: the branch secretary whistles the issue and summons departments, which must report
    within the whistle type's time or the whistle climbs one level."""
    return whistles.blow(db, rules, ladder, actor, case_id, data, _now())


@router.get("/{case_id}/whistle", response_model=WhistleRead)
def get_whistle(case_id: Id, actor: CurrentActor, db: DbDep, ladder: LadderDep
                ) -> WhistleRead:
    """Every level reached, who was summoned when, and when each reported."""
    return whistles.get(db, ladder, actor, case_id)


@router.post("/{case_id}/whistle/summons", response_model=WhistleRead)
def summon(case_id: Id, data: SummonsCreate, actor: CurrentActor, db: DbDep,
           rules: RulesDep, ladder: LadderDep) -> WhistleRead:
    return whistles.summon(db, rules, ladder, actor, case_id, data, _now())


@router.post("/{case_id}/whistle/report", response_model=WhistleRead)
def report(case_id: Id, data: Report, actor: CurrentActor, db: DbDep, ladder: LadderDep
           ) -> WhistleRead:
    """报到: a summoned department reports; its time is recorded."""
    return whistles.report(db, ladder, actor, case_id, data, _now())


@router.post("/{case_id}/whistle/withdrawal", response_model=WhistleRead)
def withdraw(case_id: Id, actor: CurrentActor, db: DbDep, ladder: LadderDep) -> WhistleRead:
    """Refused (409) until the issue is closed: 事不完，人不撤."""
    return whistles.withdraw(db, ladder, actor, case_id, _now())
