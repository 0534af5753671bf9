"""The happy-community assessment (LK-02) and the centres' popularity index (QL-12b): the
year's ranking with every community's indicators, rank change, candidates and awards; the
district's confirmation of the awards through its work item; printable reports. Staff read
(auditors too); only the district confirms."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import CalendarDep, CurrentActor, DbDep, Today
from policies.assessment.rules import AssessmentRules
from services.assessment import assessments, documents, popularity
from services.assessment.assessments import AssessmentRead, AwardDecisions
from services.assessment.popularity import CentresReport
from services.work import work_items
from services.work.work_items import WorkItemRead

router = APIRouter(prefix="/assessment", tags=["assessment"])
Year = Annotated[int, Path(ge=2000, le=2100, description="the assessed year")]
Month = Annotated[str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


async def _rules() -> AssessmentRules:
    return assessments.assessment_rules()


RulesDep = Annotated[AssessmentRules, Depends(_rules)]


@router.get("/centres", response_model=CentresReport)
def centres(month: Month, actor: CurrentActor, db: DbDep, rules: RulesDep):
    """A month's popularity index (人气指数) of every centre, with the use behind it."""
    return popularity.monthly(db, actor, rules, month)


@router.get("/centres/report", response_class=HTMLResponse)
def centres_report(month: Month, actor: CurrentActor, db: DbDep, rules: RulesDep):
    return HTMLResponse(documents.centres_html(popularity.monthly(db, actor, rules, month)))


@router.get("/{year}", response_model=AssessmentRead)
def get_assessment(year: Year, actor: CurrentActor, db: DbDep, rules: RulesDep):
    """The ranking with each community's indicators, the change against last year, the award
    candidates and the district's decisions."""
    return assessments.read(db, actor, rules, year)


@router.get("/{year}/report", response_class=HTMLResponse)
def assessment_report(year: Year, actor: CurrentActor, db: DbDep, rules: RulesDep):
    """The year's results as a printable document in Chinese."""
    return HTMLResponse(documents.ranking_html(assessments.read(db, actor, rules, year)))


@router.post("/{year}/awards/confirmation", response_model=WorkItemRead)
def confirm_awards(year: Year, data: AwardDecisions, actor: CurrentActor, db: DbDep,
                   calendar: CalendarDep, rules: RulesDep, today: Today):
    """The district confirms or declines each award candidate (its work item's decision)."""
    item_id, decision = assessments.check_decisions(db, actor, rules, year, data)
    return work_items.decide(db, calendar, actor, item_id, decision, today)
