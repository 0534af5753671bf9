"""The assessment's pure rules: ties share a rank, a community without records is unranked and
never a candidate, the data's weights must sum to 1, the schedule judges the year before."""

from datetime import date

import pytest
from pydantic import ValidationError

from policies.assessment.rules import AssessmentRules, assessed_year
from policies.assessment.scoring import Ratio, award_candidates, rank, score, with_changes
from services.assessment.assessments import assessment_rules

rules = assessment_rules()


def scored(code: str, part: int, whole: int):
    ratios = {"wishes_fulfilled": Ratio(part=part, whole=whole)} if whole else {}
    return score(code, code, ratios, rules.indicators)


def test_equal_scores_share_a_rank_and_the_unscored_come_last():
    ranking = rank([scored("c", 1, 2), scored("a", 1, 1), scored("b", 2, 4), scored("d", 0, 0)])
    assert [(r.community, r.score, r.rank) for r in ranking] == [
        ("a", 100.0, 1), ("b", 50.0, 2), ("c", 50.0, 2), ("d", None, None)]


def test_a_community_unranked_either_year_is_no_candidate_by_rank():
    ranking = with_changes(rank([scored("a", 1, 1), scored("d", 0, 0)]), {"d": 9})
    assert [(r.community, r.change) for r in ranking] == [("a", None), ("d", None)]
    assert award_candidates(ranking, rules.award, {}) == []


def test_weights_must_sum_to_one():
    data = rules.model_dump()
    data["indicators"][0]["weight"] = 0.5
    with pytest.raises(ValidationError, match="sum to 1.3"):
        AssessmentRules.model_validate(data)


def test_an_indicator_names_its_clause_or_its_reason():
    data = rules.model_dump()
    data["indicators"][0]["clause"] = None
    with pytest.raises(ValidationError, match="names its clause or its reason"):
        AssessmentRules.model_validate(data)


def test_the_january_run_judges_the_year_before():
    assert assessed_year(date(2028, 1, 10)) == 2027


def test_the_yearly_deployment_runs_on_10_january():
    from flows.worker import deployments

    crons = {f"{f.name}/{d.name}": [getattr(s.schedule, "cron", None) for s in d.schedules]
             for f, d in deployments() if d.schedules}
    assert crons["assessment/yearly"] == ["0 9 10 1 *"]


def test_a_band_indicator_needs_its_band_and_the_whistles_band_is_read_from_its_data():
    whistle = next(i for i in rules.indicators if i.code == "whistle_rate")
    assert (whistle.direction, whistle.band.low, whistle.band.high) == ("band", 0.02, 0.30)
    data = rules.model_dump()
    data["indicators"] = [i | {"band": None} if i["code"] == "whistle_rate" else i
                          for i in data["indicators"]]
    with pytest.raises(ValidationError, match="a band, and only with direction band"):
        AssessmentRules.model_validate(data)


def test_the_whistle_rate_scores_inside_its_band_limits_included():
    def points(whistled: int) -> float | None:
        ratios = {"whistle_rate": Ratio(part=whistled, whole=100)}
        return score("c", "c", ratios, rules.indicators).score

    assert [points(n) for n in (1, 2, 30, 31)] == [0.0, 100.0, 100.0, 0.0]
