"""The plan holds every hard rule, says how good it is, explains a short month, repairs."""

import dataclasses
import random

from policies.volunteering import plan as rules
from services.volunteering import reference
from services.volunteering.explain import explain
from services.volunteering.optimiser import plan_month
from services.volunteering.repair import repair


def test_every_hard_rule_holds_and_the_plan_says_how_far_from_the_bound(small_district, settings):
    outcome = plan_month(reference.month_instance("2026-12", small_district), settings)
    assert outcome.verdict.holds, outcome.verdict.violations[:3]
    assert len(outcome.plan.assignments) == 400
    assert len(outcome.plan.hosts) == 16
    assert 0 < outcome.lower_bound <= outcome.objective
    assert 0 <= outcome.gap < 0.5


def test_the_validator_names_each_broken_rule(small_district, settings):
    instance = reference.month_instance("2026-12", small_district)
    good = plan_month(instance, settings).plan
    member, acts = next(iter(good.assignments.items()))
    unit = next(iter(good.hosts))
    broken = rules.Plan(hosts={u: a for u, a in good.hosts.items() if u != unit},
                        assignments={**good.assignments, member: ()})
    verdict = rules.validate(instance, broken)
    assert verdict.by_rule()["coverage"] == 1
    assert any(v.rule == "hosting" and v.where == unit and v.clause == "QL-11a"
               for v in verdict.violations)


def test_a_month_short_of_seats_is_explained_with_a_partial_plan(small_district, settings):
    instance = reference.month_instance("2026-12", small_district)
    halved = [dataclasses.replace(a, capacity=3) for a in instance.activities]
    short = dataclasses.replace(instance, activities=halved)
    outcome = plan_month(short, settings)
    why = explain(outcome.network)
    assert not why.feasible
    assert why.members - why.max_coverage > 0
    assert why.groups and why.groups[0].seats < why.groups[0].competing
    assert why.fixes[0].endswith("（提高项目容量或新增契约项目）")
    assert outcome.plan.uncovered                       # the best partial plan, not a refusal
    assert len(outcome.plan.uncovered) >= why.members - why.max_coverage
    assert all("座位" in r or "项目" in r or "人数" in r for r in outcome.plan.uncovered.values())


def test_declines_are_repaired_and_everyone_else_keeps_their_place(small_district, settings):
    outcome = plan_month(reference.month_instance("2026-12", small_district), settings)
    rng = random.Random(5)
    chosen = rng.sample(sorted(outcome.plan.assignments.items()), 10)
    declines = [(m, acts[0]) for m, acts in chosen]
    fixed = repair(outcome.network, outcome.plan, declines)
    declined = dict(declines)
    for member, acts in outcome.plan.assignments.items():
        if member in declined:
            assert declined[member] not in fixed.plan.assignments[member]
        else:
            assert set(acts) <= set(fixed.plan.assignments[member])
    assert not fixed.unseated
    verdict = rules.validate(outcome.network.instance, fixed.plan)
    short_hosts = {v.where for v in verdict.violations if v.rule == "hosting"}
    assert {outcome.plan.hosts[u] for u in short_hosts} <= set(fixed.attention)
    assert rules.validate(outcome.network.instance, fixed.plan).by_rule()["coverage"] == 0


def test_unpopular_slots_rotate_with_history(small_district, settings):
    instance = reference.month_instance("2026-12", small_district)
    first = plan_month(instance, settings)
    received = rules.unpopular_received(instance, first.plan)
    had = {m for m, n in received.items() if n}
    assert had
    members = [dataclasses.replace(m, history=rules.next_history(m.history, received[m.code]))
               for m in small_district.members]
    january = reference.month_instance("2027-01", small_district)
    forgetful = rules.unpopular_received(january, plan_month(january, settings).plan)
    january = reference.month_instance("2027-01", small_district, members=members)
    remembering = rules.unpopular_received(january, plan_month(january, settings).plan)
    assert sum(bool(remembering[m]) for m in had) < sum(bool(forgetful[m]) for m in had)
