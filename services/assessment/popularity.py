"""QL-12b 人气指数 of the party-and-mass service centres, month by month: the district centre
and the 43 stations (street centres, community and village stations), each with its use counted
from the work layer — visits (one-stop cases accepted there; the district centre's are those
with no station), wishes posted in its community, joint meetings of its unit held — and from
the volunteer plan's published read model — volunteer activities held in its community — and the
index computed with the data's formula (policies/assessment/popularity.py)."""

from collections import Counter
from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies.access import Actor, is_staff
from policies.assessment.indicators import APPROVAL, MEETING, WISH, CaseFacts
from policies.assessment.popularity import CentreIndex, CentreUse, rank_centres
from policies.assessment.rules import AssessmentRules
from services.assessment import readers
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import NotFound

DISTRICT_NAME = "海沧区党群服务中心"


class CentresReport(BaseModel):
    month: str
    formula: list[dict]  # the index's terms, their weights and definitions
    centres: list[CentreIndex]


def month_bounds(month: str) -> tuple[date, date]:
    start = date.fromisoformat(f"{month}-01")
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def centre_uses(session: Session, month: str) -> list[CentreUse]:
    stations = list(session.scalars(select(models.Station).order_by(models.Station.code)))
    district = session.scalar(select(models.OrgUnit.code).where(
        models.OrgUnit.level == "district"))
    centre_of_unit = {district: readers.DISTRICT_CENTRE}
    centre_of_unit |= {s.street_code: s.code for s in stations if s.kind == "street_centre"}
    centre_of_unit |= {s.community_code: s.code for s in stations if s.community_code}
    counts: dict[str, Counter] = {readers.DISTRICT_CENTRE: Counter()}
    counts |= {s.code: Counter() for s in stations}
    for f in readers.case_facts(session, *month_bounds(month)):
        use, centre = _use(f, centre_of_unit)
        if centre in counts:
            counts[centre][use] += 1
    for community, held in readers.activities_held(session, month).items():
        if (centre := centre_of_unit.get(community)) in counts:
            counts[centre]["activities"] += held
    names = {readers.DISTRICT_CENTRE: (DISTRICT_NAME, "district_centre")}
    names |= {s.code: (s.name_zh, s.kind) for s in stations}
    return [CentreUse(centre=code, name_zh=names[code][0], kind=names[code][1],
                      counts=dict(c)) for code, c in counts.items()]


def _use(f: CaseFacts, centre_of_unit: dict[str, str]) -> tuple[str, str | None]:
    if f.process == APPROVAL:
        return "visits", f.station or readers.DISTRICT_CENTRE
    if f.process == WISH:
        return "wishes", centre_of_unit.get(f.place)
    if f.process == MEETING and f.status in ("held", "closed"):
        return "meetings", centre_of_unit.get(f.place)
    return "other", None


def monthly(db: Database, actor: Actor, rules: AssessmentRules, month: str) -> CentresReport:
    if not is_staff(actor):
        raise NotFound("no such report")
    with db.reading() as uow:
        uses = centre_uses(uow.session, month)
    formula = rules.popularity
    return CentresReport(month=month, formula=[t.model_dump() for t in formula.terms],
                         centres=rank_centres(uses, formula))
