"""Volunteer scheduling (双报到): the monthly plan against its baselines, each scenario in its
own process so its peak memory is its own.

    python -m bench.volunteering            (every scenario, about 4 minutes on 2 cores)
    python -m bench.volunteering article    (one scenario: article | cpsat | city | short | repair)

Figures go to bench/results/volunteering.json; docs/benchmarks.md has the table."""

import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from policies.volunteering import plan as rules
from services.volunteering import reference
from services.volunteering.explain import explain
from services.volunteering.greedy import greedy
from services.volunteering.network import build
from services.volunteering.optimiser import plan_month
from services.volunteering.repair import repair

RESULTS = Path(__file__).parent / "results" / "volunteering.json"
MONTH = "2026-12"
ARTICLE = (195, 5837, 16)
CITY = (2000, 60000, 160)
SHORT_BY = 1384          # the over-subscribed month: members who cannot be seated
CPSAT_SECONDS = 60


def instance(size):
    return reference.month_instance(MONTH, reference.generated_district(*size))


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - started, 3)


def outcome_figures(outcome, seconds) -> dict:
    return {"seconds": seconds, "objective": outcome.objective,
            "lower_bound": outcome.lower_bound, "gap": round(outcome.gap, 4),
            "rules_hold": outcome.verdict.holds,
            "violations": dict(outcome.verdict.by_rule()), "laps": outcome.seconds,
            "arcs": int(len(outcome.network.arc_act)),
            "candidates": int(outcome.network.n_acts),
            "open": len(outcome.plan.open_activities())}


def greedy_figures(net, bound) -> dict:
    plan, seconds = timed(lambda: greedy(net))
    objective = rules.objective(net.instance, plan, net.settings.weights)
    verdict = rules.validate(net.instance, plan)
    return {"seconds": seconds, "objective": objective,
            "above_bound": round((objective - bound) / objective, 4),
            "rules_hold": verdict.holds, "violations": dict(verdict.by_rule())}


def article() -> dict:
    inst = instance(ARTICLE)
    outcome, seconds = timed(lambda: plan_month(inst, reference.settings()))
    return {"flow_matheuristic": outcome_figures(outcome, seconds),
            "greedy": greedy_figures(outcome.network, outcome.lower_bound),
            "peak_mb": peak_mb()}


def city() -> dict:
    inst = instance(CITY)
    outcome, seconds = timed(lambda: plan_month(inst, reference.settings(), prune_off_type=10))
    return {"flow_matheuristic_pruned_10": outcome_figures(outcome, seconds),
            "greedy": greedy_figures(outcome.network, outcome.lower_bound),
            "peak_mb": peak_mb()}


def short_month() -> dict:
    """Capacities cut until the seats that can be open under K fall SHORT_BY below members."""
    base = instance(ARTICLE)
    settings = reference.settings()
    factor = 1.0
    while len(base.members) - seats_under_k(_scaled(base, factor - 0.01)) <= SHORT_BY:
        factor -= 0.01
    inst = _trimmed(_scaled(base, factor), len(base.members) - SHORT_BY)
    net = build(inst, settings)
    why, explain_s = timed(lambda: explain(net))
    outcome, plan_s = timed(lambda: plan_month(inst, settings, net=net))
    return {"capacity_factor": round(factor, 4), "members": why.members,
            "seats_under_k": why.seats_under_k, "max_coverage": why.max_coverage,
            "explanation_seconds": explain_s, "summary_zh": why.summary_zh,
            "saturated_groups": len(why.groups), "fixes": why.fixes[:3],
            "partial_plan_seconds": plan_s, "uncovered": len(outcome.plan.uncovered),
            "every_uncovered_has_a_reason": all(outcome.plan.uncovered.values()),
            "other_rules_hold": set(outcome.verdict.by_rule()) <= {"coverage"},
            "violations": dict(outcome.verdict.by_rule()),
            "peak_mb": peak_mb()}


def seats_under_k(inst) -> int:
    """The O(n) pre-check: the K largest capacities of every community and slot."""
    groups: dict[tuple[str, str], list[int]] = {}
    for a in inst.activities:
        groups.setdefault((a.community, a.slot), []).append(a.capacity)
    k = inst.per_community_slot
    return sum(sum(sorted(c, reverse=True)[:k]) for c in groups.values())


def _trimmed(inst, seats: int):
    """One seat less at a time, activity by activity, until exactly `seats` can be open."""
    activities = list(inst.activities)
    i = 0
    while seats_under_k(replace(inst, activities=activities)) > seats:
        a = activities[i % len(activities)]
        if a.capacity > 2:
            activities[i % len(activities)] = replace(a, capacity=a.capacity - 1)
        i += 1
    return replace(inst, activities=activities)


def _scaled(inst, factor):
    return replace(inst, activities=[replace(a, capacity=max(2, int(a.capacity * factor)))
                                     for a in inst.activities])


def repair_50() -> dict:
    inst = instance(ARTICLE)
    settings = reference.settings()
    outcome = plan_month(inst, settings)
    rng = random.Random(50)
    chosen = rng.sample(sorted(outcome.plan.assignments.items()), 50)
    declines = [(m, acts[0]) for m, acts in chosen]
    fixed, seconds = timed(lambda: repair(outcome.network, outcome.plan, declines))
    declined = dict(declines)
    kept = sum(set(acts) <= set(fixed.plan.assignments[m])
               for m, acts in outcome.plan.assignments.items() if m not in declined)
    _, resolve_s = timed(lambda: plan_month(inst, settings, net=outcome.network))
    verdict = rules.validate(inst, fixed.plan)
    return {"declines": 50, "repair_seconds": seconds, "unseated": len(fixed.unseated),
            "others": len(outcome.plan.assignments) - 50, "others_kept": kept,
            "violations_after_repair": dict(verdict.by_rule()),
            "named_for_the_secretary": len(fixed.attention),
            "resolve_seconds": resolve_s, "peak_mb": peak_mb()}


def cpsat() -> dict:
    """CP-SAT on the whole model (every arc a Boolean), cold, with a time limit."""
    from ortools.sat.python import cp_model

    inst = instance(ARTICLE)
    settings = reference.settings()
    net, build_s = timed(lambda: build(inst, settings))
    started = time.perf_counter()
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(len(net.arc_act))]
    y = [model.new_bool_var("") for _ in range(net.n_acts)]
    by_act, by_member_slot, cost = {}, {}, []
    for i, (m, a) in enumerate(zip(net.arc_member.tolist(), net.arc_act.tolist(), strict=True)):
        by_act.setdefault(a, []).append(i)
        by_member_slot.setdefault((m, int(net.act_slot[a])), []).append(i)
    for m in range(net.n_members):
        arcs = range(*net.arcs_of(m).indices(len(x)))
        model.add(sum(x[i] for i in arcs) >= 1)
        model.add(sum(x[i] for i in arcs) <= int(net.member_req[m]))
    for arcs in by_member_slot.values():
        if len(arcs) > 1:
            model.add_at_most_one(x[i] for i in arcs)
    w = settings.weights
    for a in range(net.n_acts):
        load = sum(x[i] for i in by_act.get(a, []))
        cap, mn = int(net.act_cap[a]), int(net.act_min[a])
        model.add(load <= cap * y[a])
        model.add(load >= mn * y[a])
        e2, e5 = model.new_int_var(0, cap, ""), model.new_int_var(0, cap, "")
        model.add(e2 >= load - cap // 2)
        model.add(e5 >= load - (cap * 4) // 5)
        cost += [w.load_half_to_80.value * e2,
                 (w.load_above_80.value - w.load_half_to_80.value) * e5]
    for arcs in _group(net.cs_of_act.tolist()).values():
        model.add(sum(y[a] for a in arcs) <= inst.per_community_slot)
    hosts_of_act: dict[int, list] = {}
    own: dict[tuple[int, int], list[int]] = {}
    for i, (m, a) in enumerate(zip(net.arc_member.tolist(), net.arc_act.tolist(), strict=True)):
        u = int(net.member_unit[m])
        if net.act_comm[a] == net.unit_comm[u]:
            own.setdefault((u, a), []).append(i)
    per_unit: dict[int, list] = {}
    for (u, a), arcs in own.items():
        h = model.new_bool_var("")
        per_unit.setdefault(u, []).append(h)
        hosts_of_act.setdefault(a, []).append(h)
        model.add(sum(x[i] for i in arcs) >= int(net.quota[u]) * h)
    for hs in per_unit.values():
        model.add_exactly_one(hs)
    for a, hs in hosts_of_act.items():
        model.add(sum(hs) <= y[a])
    # a member asking for two pays 30 x (2 - activities): a constant and -30 per arc used
    missing = w.second_activity_missing.value
    two = (net.member_req[net.arc_member] == 2).tolist()
    cost += [(int(c) - missing * t) * x[i]
             for i, (c, t) in enumerate(zip(net.arc_cost.tolist(), two, strict=True))]
    model.minimize(sum(cost) + 2 * missing * int((net.member_req == 2).sum()))
    model_s = round(time.perf_counter() - started, 3)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = CPSAT_SECONDS
    solver.parameters.num_workers = 2
    status, solve_s = timed(lambda: solver.solve(model))
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {"time_limit_s": CPSAT_SECONDS, "build_network_s": build_s, "build_model_s": model_s,
            "solve_s": solve_s, "status": solver.status_name(status),
            "objective": round(solver.objective_value) if found else None,
            "best_bound": round(solver.best_objective_bound), "peak_mb": peak_mb()}


def _group(keys):
    out = {}
    for i, k in enumerate(keys):
        out.setdefault(k, []).append(i)
    return out


SCENARIOS = {"article": article, "cpsat": cpsat, "city": city, "short": short_month,
             "repair": repair_50}


def main(names: list[str]) -> dict:
    if len(names) == 1:
        print(json.dumps(SCENARIOS[names[0]](), ensure_ascii=False))
        return {}
    results = {}
    for name in names:
        done = subprocess.run([sys.executable, "-m", "bench.volunteering", name],
                              capture_output=True, text=True, timeout=600)
        lines = done.stdout.strip().splitlines()
        results[name] = json.loads(lines[-1]) if done.returncode == 0 and lines else {
            "error": done.stderr[-2000:]}
        print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


if __name__ == "__main__":
    main(sys.argv[1:] or list(SCENARIOS))
