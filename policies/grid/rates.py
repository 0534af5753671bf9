"""三率 — the response, resolution and satisfaction rates, on the model of the 12345 hotline's.

Definitions (shown beside the figures on the dashboard):
- 响应率 response rate: issues the handler acknowledged or resolved no later than the response
  limit (the report day plus `response_working_days` of data/categories.yaml) ÷ issues
  reported.
- 解决率 resolution rate: issues closed after passing supervision ÷ issues reported.
- 满意率 satisfaction rate: issues whose last evaluation is satisfied or basically satisfied ÷
  issues evaluated.
A rate with nothing to divide by is shown as none, not as 0 or 100 %.
"""

from pydantic import BaseModel

DEFINITIONS = {
    "response_rate": "响应率＝在响应时限内（上报当日起按工作日计）受理或办结的问题数÷上报问题数",
    "resolution_rate": "解决率＝经督查合格后办结的问题数÷上报问题数",
    "satisfaction_rate": "满意率＝评价为满意或基本满意的问题数÷已评价问题数",
}


class IssueFacts(BaseModel):
    responded_in_time: bool
    resolved: bool
    evaluated: bool
    satisfied: bool


class Rates(BaseModel):
    reported: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


def rates(facts: list[IssueFacts]) -> Rates:
    evaluated = [f for f in facts if f.evaluated]
    return Rates(reported=len(facts),
                 response_rate=_ratio(sum(f.responded_in_time for f in facts), len(facts)),
                 resolution_rate=_ratio(sum(f.resolved for f in facts), len(facts)),
                 satisfaction_rate=_ratio(sum(f.satisfied for f in evaluated), len(evaluated)))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
