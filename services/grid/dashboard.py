"""The grassroots dashboard: the three rates (三率) per grid, community, street and handling
department, with their definitions, and the grids short of their "1+5" (QL-06)."""

from collections import defaultdict

from pydantic import BaseModel
from sqlalchemy import select

from policies.access import Actor, Role
from policies.grid.loop import Rating, Stage
from policies.grid.rates import DEFINITIONS, IssueFacts, Rates, rates
from services.grid import reference
from services.grid.models import GridIssue
from services.platform.db.uow import Database
from services.platform.errors import Forbidden

LEVELS = ("grid", "community", "street", "department")


class GrassrootsDashboard(BaseModel):
    definitions: dict[str, str]
    district: Rates
    by_level: dict[str, dict[str, Rates]]  # level → unit or department code → its rates
    staffing_gaps: dict[str, list[str]]  # grid → what it lacks of its 1+5


def grassroots(db: Database, actor: Actor) -> GrassrootsDashboard:
    if actor.role is Role.APPLICANT:
        raise Forbidden("dashboards are the staff's")
    with db.reading() as uow:
        issues = list(uow.session.scalars(select(GridIssue)))
    grouped: dict[str, dict[str, list[IssueFacts]]] = {lv: defaultdict(list) for lv in LEVELS}
    for issue in issues:
        facts = _facts(issue)
        for level in LEVELS:
            key = getattr(issue, level)
            if key:
                grouped[level][key].append(facts)
    return GrassrootsDashboard(
        definitions=DEFINITIONS, district=rates([_facts(i) for i in issues]),
        by_level={lv: {k: rates(v) for k, v in sorted(g.items())} for lv, g in grouped.items()},
        staffing_gaps=reference.staffing_report(db))


def _facts(issue: GridIssue) -> IssueFacts:
    evaluated = issue.rating is not None
    return IssueFacts(
        responded_in_time=issue.responded_on is not None
        and issue.responded_on <= issue.response_due_on,
        resolved=issue.stage == Stage.CLOSED.value and issue.supervised,
        evaluated=evaluated,
        satisfied=evaluated and issue.rating != Rating.DISSATISFIED.value)
