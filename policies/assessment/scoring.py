"""LK-02: a community's score is the weighted sum of its indicators, each a rate of the year;
ranks are compared with last year's; a community whose rank rose by at least the data's places,
or that completed a key task the district named, is an award candidate.

An indicator with nothing to divide by (no records of its kind in the community that year) is
not applicable: it scores neither 0 nor 100 %, and the other indicators' weights are scaled up
to fill its place, so a community is not judged on what it had no occasion to do.

A two-sided indicator (direction `band`, the whistle rate) earns its points when its value is
within the band, both limits included, and none outside it (the project's choice: below the
band the mechanism is unused, above it routine handling fails)."""

from pydantic import BaseModel

from policies.assessment.rules import AwardRule, Band, Indicator


class Ratio(BaseModel):
    part: int
    whole: int


class IndicatorResult(BaseModel):
    code: str
    name_zh: str
    part: int
    whole: int
    value: float | None  # part ÷ whole; none when nothing to divide by
    weight: float  # the data's weight
    direction: str
    band: Band | None = None  # direction band: the thresholds the value is held to
    points: float | None  # what it adds to the score (weights scaled over applicable ones)


class CommunityScore(BaseModel):
    community: str
    name_zh: str
    score: float | None  # 0–100; none when no indicator applies
    indicators: list[IndicatorResult]


class Ranked(CommunityScore):
    rank: int | None
    previous_rank: int | None = None
    change: int | None = None  # places risen (positive) or fallen (negative) since last year


class Candidate(BaseModel):
    community: str
    name_zh: str
    reasons: list[str]


def score(community: str, name_zh: str, ratios: dict[str, Ratio],
          indicators: list[Indicator]) -> CommunityScore:
    applicable = [i for i in indicators if ratios.get(i.code) and ratios[i.code].whole]
    scale = sum(i.weight for i in applicable)
    points = {i.code: _points(i, ratios[i.code], scale) for i in applicable}
    results = [_result(i, ratios.get(i.code) or Ratio(part=0, whole=0), points.get(i.code))
               for i in indicators]
    # rounded once, from the exact points (the rounded points shown may differ by 0.01)
    total = round(sum(points.values()), 2) if applicable else None
    return CommunityScore(community=community, name_zh=name_zh, score=total, indicators=results)


def _points(indicator: Indicator, ratio: Ratio, scale: float) -> float:
    value = ratio.part / ratio.whole
    if indicator.band is not None:
        good = 1.0 if indicator.band.holds(value) else 0.0
    else:
        good = value if indicator.direction == "higher" else 1 - value
    return 100 * indicator.weight / scale * good


def _result(indicator: Indicator, ratio: Ratio, points: float | None) -> IndicatorResult:
    value = ratio.part / ratio.whole if ratio.whole else None
    return IndicatorResult(code=indicator.code, name_zh=indicator.name_zh, part=ratio.part,
                           whole=ratio.whole, value=None if value is None else round(value, 4),
                           weight=indicator.weight, direction=indicator.direction,
                           band=indicator.band,
                           points=None if points is None else round(points, 2))


def rank(scores: list[CommunityScore]) -> list[Ranked]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4); a community with no
    applicable indicator is listed last, unranked."""
    scored = sorted((s for s in scores if s.score is not None),
                    key=lambda s: (-s.score, s.community))
    ranked: list[Ranked] = []
    for n, s in enumerate(scored):
        tied = ranked and ranked[-1].score == s.score
        ranked.append(Ranked(**s.model_dump(), rank=ranked[-1].rank if tied else n + 1))
    unscored = sorted((s for s in scores if s.score is None), key=lambda s: s.community)
    return ranked + [Ranked(**s.model_dump(), rank=None) for s in unscored]


def with_changes(current: list[Ranked], previous: dict[str, int]) -> list[Ranked]:
    """The change of rank against last year: places risen (last year's rank − this year's)."""
    return [r.model_copy(update={
        "previous_rank": previous.get(r.community),
        "change": (previous[r.community] - r.rank
                   if r.rank is not None and r.community in previous else None)})
            for r in current]


def award_candidates(ranking: list[Ranked], rule: AwardRule, key_tasks: dict[str, str]
                     ) -> list[Candidate]:
    """LK-02: rank rose by at least `rise_places`, or a key task named by the district."""
    found = []
    for r in ranking:
        reasons = []
        if r.change is not None and r.change >= rule.rise_places:
            reasons.append(f"位次前移{r.change}位（第{r.previous_rank}名→第{r.rank}名，"
                           f"达到{rule.rise_places}位的标准）")
        if r.community in key_tasks:
            reasons.append(f"高质高效完成重点任务：{key_tasks[r.community]}")
        if reasons:
            found.append(Candidate(community=r.community, name_zh=r.name_zh, reasons=reasons))
    return found
