"""QL-12b 人气指数 ("不比装修比人气"): a centre's index for a month is the weighted sum of its
use — visits, wishes, meetings — with the data's weights. The formula has no term for floor
area, rooms or equipment (a term can only name a use), so a centre nobody used scores 0 and
ranks last however well it is fitted out."""

from pydantic import BaseModel

from policies.assessment.rules import Facilities, Popularity


class CentreUse(BaseModel):
    centre: str
    name_zh: str
    kind: str
    counts: dict[str, int]  # use → count in the month


class CentreIndex(CentreUse):
    index: float
    rank: int
    facilities: Facilities | None = None  # shown beside the index, never in it


def index_of(counts: dict[str, int], formula: Popularity) -> float:
    return round(sum(t.weight * counts.get(t.use, 0) for t in formula.terms), 2)


def rank_centres(uses: list[CentreUse], formula: Popularity) -> list[CentreIndex]:
    """Highest index first; equal indexes share a rank; ties listed by centre code."""
    scored = sorted(((u, index_of(u.counts, formula)) for u in uses),
                    key=lambda pair: (-pair[1], pair[0].centre))
    ranked: list[CentreIndex] = []
    for n, (use, index) in enumerate(scored):
        tied = ranked and ranked[-1].index == index
        ranked.append(CentreIndex(**use.model_dump(), index=index,
                                  rank=ranked[-1].rank if tied else n + 1,
                                  facilities=formula.facilities.get(use.centre)))
    return ranked
