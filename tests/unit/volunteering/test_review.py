"""The secretary's review as the monthly flow applies it: a re-plan's changes add to those of
earlier rounds; an answer the API would have refused is not applied; the title the secretary
reads in the queue says whether everyone is seated."""

import pytest
from pydantic import ValidationError

from services.volunteering.review import PlanReview, merged, read_review, review_spec


def test_a_re_plan_adds_to_the_changes_of_earlier_rounds():
    first = merged({"closed": [], "capacities": {}},
                   PlanReview(outcome="replan", closed=["2026-12-12-am"]))
    second = merged(first, PlanReview(outcome="replan", closed=["2026-12-12-am",
                                                                 "2026-12-19-pm"],
                                      capacities={"P00010": 30}))
    assert second == {"closed": ["2026-12-12-am", "2026-12-19-pm"],
                      "capacities": {"P00010": 30}}


def test_a_re_plan_without_a_change_is_refused_and_not_applied():
    with pytest.raises(ValidationError):
        PlanReview(outcome="replan")
    assert read_review({"outcome": "replan"}) is None
    assert read_review({"outcome": "publish"}).outcome == "publish"


def test_the_review_item_says_who_is_left_out():
    draft = {"month": "2026-12", "rules_hold": True, "uncovered": {"M000001": "…"},
             "gap": 0.2}
    spec = review_spec(7, draft, 2)
    assert spec.step_key == "plan-review#2" and spec.candidate_group == "org:haicang"
    assert "第2稿" in spec.title and "1人未安排" in spec.title
