"""吹哨率 per community and street: whistled issues ÷ all issues raised there, flagged when
below or above the band of policies/whistle/data/whistle.yaml."""

from collections import Counter

from pydantic import BaseModel
from sqlalchemy import select

from policies.whistle.rules import WhistleRules
from services.platform.db import models
from services.platform.db.uow import Database
from services.whistle.models import Whistle
from services.work import cases
from services.work.models import Case

DEFINITION = ("吹哨率＝吹哨的问题数÷在该社区（街道）上报的问题数；"
              "低于下限说明机制没用起来，高于上限说明日常处置失灵")


class WhistleRate(BaseModel):
    issues: int
    whistled: int
    rate: float | None
    flag: str | None  # too-low, ok, too-high


class WhistleRates(BaseModel):
    definition: str
    band: dict[str, float]
    community: dict[str, WhistleRate]
    street: dict[str, WhistleRate]


def whistle_rates(db: Database, rules: WhistleRules) -> WhistleRates:
    with db.reading() as uow:
        units = {u.code: u for u in uow.session.scalars(select(models.OrgUnit))}
        raised = [cases.unit_of(c) for c in uow.session.scalars(select(Case).where(
            Case.details.is_not(None)))]
        whistled = list(uow.session.scalars(select(Whistle.org_unit)))
    by = {"community": (Counter(), Counter()), "street": (Counter(), Counter())}
    for codes, column in ((raised, 0), (whistled, 1)):
        for code in filter(None, codes):
            for level, unit in _ancestors(units, code):
                if level in by:
                    by[level][column][unit] += 1
    return WhistleRates(
        definition=DEFINITION, band=rules.rate_band.model_dump(),
        **{level: {unit: _rate(rules, total[unit], blown[unit]) for unit in sorted(total)}
           for level, (total, blown) in by.items()})


def _ancestors(units: dict, code: str):
    while code in units:
        yield units[code].level, code
        code = units[code].parent_code


def _rate(rules: WhistleRules, issues: int, whistled: int) -> WhistleRate:
    return WhistleRate(issues=issues, whistled=whistled,
                       rate=round(whistled / issues, 4) if issues else None,
                       flag=rules.rate_band.flag(whistled, issues))
