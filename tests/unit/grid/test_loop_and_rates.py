"""The grid loop's rules, the three rates and the whistle's climb, as pure functions."""

from datetime import UTC, datetime

from policies.grid.loop import (
    CLOSED_WITHOUT_EVALUATION,
    LoopState,
    Rating,
    Stage,
    after_evaluation,
    after_evaluation_step,
    close_refusal,
)
from policies.grid.rates import IssueFacts, rates
from policies.whistle.rules import next_level
from services.whistle.reference import read_rules


def test_closing_needs_supervision_then_feedback():
    assert "督查" in close_refusal(LoopState(stage=Stage.FEEDBACK, fed_back=True))
    assert "反馈" in close_refusal(LoopState(stage=Stage.FEEDBACK, supervised=True))
    assert close_refusal(LoopState(stage=Stage.EVALUATION, supervised=True,
                                   fed_back=True)) is None


def test_dissatisfied_twice_goes_to_the_secretary_and_a_third_time_closes():
    state = LoopState(stage=Stage.EVALUATION, supervised=True, fed_back=True)
    once = after_evaluation(state, Rating.DISSATISFIED)
    assert (once.stage, once.reopened, once.with_secretary, once.supervised) == (
        Stage.HANDLING, 1, False, False)
    twice = after_evaluation(once.model_copy(update={"stage": Stage.EVALUATION}),
                             Rating.DISSATISFIED)
    assert (twice.reopened, twice.with_secretary) == (2, True)
    third = after_evaluation(twice.model_copy(update={"stage": Stage.EVALUATION}),
                             Rating.DISSATISFIED)
    assert third.stage is Stage.CLOSED


def test_the_evaluation_step_closes_without_a_rating_only_as_recorded():
    state = LoopState(stage=Stage.EVALUATION, supervised=True, fed_back=True)
    assert after_evaluation_step(state, CLOSED_WITHOUT_EVALUATION, None).stage is Stage.CLOSED
    reopened = after_evaluation_step(state, "evaluation", "dissatisfied")
    assert (reopened.stage, reopened.reopened) == (Stage.HANDLING, 1)


def facts(responded=True, resolved=True, evaluated=True, satisfied=True) -> IssueFacts:
    return IssueFacts(responded_in_time=responded, resolved=resolved, evaluated=evaluated,
                      satisfied=satisfied)


def test_the_three_rates_count_what_their_definitions_say():
    got = rates([facts(), facts(responded=False, resolved=False, evaluated=False,
                                satisfied=False), facts(satisfied=False), facts()])
    assert (got.reported, got.response_rate, got.resolution_rate, got.satisfaction_rate) == (
        4, 0.75, 0.75, round(2 / 3, 4))


def test_a_rate_with_nothing_to_divide_by_is_none_not_zero():
    got = rates([facts(evaluated=False, satisfied=False)])
    assert got.satisfaction_rate is None and rates([]).response_rate is None


def test_the_whistle_climbs_one_level_and_stops_at_the_district():
    assert [next_level(level, 3, late=True) for level in range(4)] == [1, 2, 3, None]
    assert next_level(1, 3, late=False) is None


def test_report_deadlines_per_whistle_type_are_the_data():
    rules = read_rules()
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    assert [(rules.report_due(kind, start) - start).seconds // 60
            for kind in ("routine", "hard-case", "emergency")] == [30, 60, 15]
