"""Steps of the volunteer scheduling features (QL-11a/b, LK-09, QL-12): on the optimiser and
the validator for the plan, on the records for import, attendance and compliance."""

import dataclasses
import random
from collections import Counter
from datetime import date, timedelta

import openpyxl
import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from policies.access import Actor, Role
from policies.volunteering import plan as rules
from policies.volunteering.model import Activity, Availability, Instance, ProjectType, SlotKind
from policies.volunteering.plan import Plan
from services.platform.db.models import AuditEvent
from services.platform.errors import Conflict, InvalidInput
from services.volunteering import compliance, importer, plans, reference, swaps
from services.volunteering.explain import explain
from services.volunteering.models import (
    VolunteerAssignment,
    VolunteerPlan,
    VolunteerProject,
    VolunteerUnit,
)
from services.volunteering.optimiser import plan_month
from services.volunteering.repair import repair

scenarios("volunteering")

SECRETARY = Actor(username="secretary-haicang-street", role=Role.ADMIN)
MONTH = "2026-12"
NAMES = {name: code for code, name, _ in reference.district_communities()}
STREET_ZH = {"haicang-street": "海沧街道"}


@pytest.fixture(scope="module")
def district():
    return reference.generated_district(16, 400, 4, seed=3)


@pytest.fixture(scope="module")
def december(district):
    instance = reference.month_instance(MONTH, district)
    return instance, plan_month(instance, reference.settings())


def communities() -> dict[str, str]:
    return NAMES | {code: code for code in NAMES.values()}


def import_units(db, tmp_path, district, charging: str = "低偿") -> str:
    importer.write_workbooks(district, tmp_path / "u.xlsx", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(tmp_path / "u.xlsx")
    sheet = book.active
    sheet["C2"], sheet["F2"], sheet["G2"], sheet["H2"], sheet["I2"] = (
        "海沧社区", "四点半课堂", charging, 20, "周六上午")
    book.save(tmp_path / "u.xlsx")
    try:
        importer.import_spreadsheets(db, SECRETARY, tmp_path / "u.xlsx", tmp_path / "m.xlsx",
                                     communities())
    except importer.ImportRefused as refused:
        return str(refused.errors[0])
    return "已导入"


# LK-09, QL-12 -------------------------------------------------------------------------------

@when("导入单位表，其中第1单位党组织包保海沧社区，项目为低偿的四点半课堂，每周六上午，容量20人")
def import_first_unit(db, tmp_path, district):
    assert import_units(db, tmp_path, district) == "已导入"


@then("第1单位党组织的契约社区是海沧社区")
def contract_community(db):
    with db.reading() as uow:
        unit = uow.session.scalars(select(VolunteerUnit).where(
            VolunteerUnit.name_zh == "第1单位党组织")).one()
        assert unit.community == NAMES["海沧社区"]


@then('契约项目"四点半课堂"收费方式为低偿，容量20人，在周六上午开展')
def contract_project(db):
    with db.reading() as uow:
        project = uow.session.scalars(select(VolunteerProject).where(
            VolunteerProject.unit_code == "U0001")).first()
        assert (project.type, project.charging, project.capacity, project.patterns) == (
            ProjectType.AFTER_SCHOOL.value, "low_cost", 20, [[5, "am"]])


@when(parsers.parse('导入单位表，其中一个项目的收费方式写作"{charging}"'),
      target_fixture="seen")
def import_with_charging(fresh_db, tmp_path, district, charging):
    return {"result": import_units(fresh_db, tmp_path, district, charging)}


@then(parsers.parse('导入结果为"{result}"'))
def import_result(seen, result):
    assert seen["result"] == result


# QL-11a -------------------------------------------------------------------------------------

@when("排出2026年12月的计划", target_fixture="seen")
def plan_december(december):
    instance, outcome = december
    return {"instance": instance, "outcome": outcome}


@then("16个单位各主办1次集中活动，都在其包保社区")
def every_unit_hosts(seen):
    instance, plan = seen["instance"], seen["outcome"].plan
    activities = {a.code: a for a in instance.activities}
    assert len(plan.hosts) == 16 and len(set(plan.hosts.values())) == 16
    for unit in instance.units:
        assert activities[plan.hosts[unit.code]].community == unit.community


@then("每次集中活动至少有3名主办单位的党员")
def hosts_bring_their_own(seen):
    instance, plan = seen["instance"], seen["outcome"].plan
    unit_of = {m.code: m.unit for m in instance.members}
    for unit, activity in plan.hosts.items():
        own = [m for m, acts in plan.assignments.items()
               if activity in acts and unit_of[m] == unit]
        assert len(own) >= 3, unit


@then("校验结果为全部硬性规则成立，计划附有目标值、下界和差距")
def verdict_and_bound(seen):
    outcome = seen["outcome"]
    assert outcome.verdict.holds
    assert 0 < outcome.lower_bound <= outcome.objective
    assert outcome.gap == (outcome.objective - outcome.lower_bound) / outcome.objective


@when(parsers.parse("查看容量为{capacity:d}人的活动"), target_fixture="seen")
def activity_of(capacity):
    return {"activity": Activity("x", "c", "p", ProjectType.PATROL, "s", capacity)}


@then(parsers.parse("至少{minimum:d}人报名才开展"))
def minimum_fill(seen, minimum):
    assert seen["activity"].minimum_fill == minimum


# QL-11b -------------------------------------------------------------------------------------

@then("400名党员都有活动，每人1到2次，不超过本人申请的次数")
def everyone_planned(seen):
    instance, plan = seen["instance"], seen["outcome"].plan
    for member in instance.members:
        assert 1 <= len(plan.assignments[member.code]) <= member.requested


@then("没有党员在同一时段被安排两次")
def no_double_booking(seen):
    slot = {a.code: a.slot for a in seen["instance"].activities}
    for acts in seen["outcome"].plan.assignments.values():
        assert len({slot[a] for a in acts}) == len(acts)


@when("社区关闭2026年12月所有工作日晚上后重新排班", target_fixture="seen")
def close_evenings(district):
    instance = reference.month_instance(MONTH, district)
    evenings = frozenset(s.code for s in instance.slots if s.kind is SlotKind.EVENING)
    closed = reference.month_instance(MONTH, district, closed=evenings)
    return {"instance": closed, "outcome": plan_month(closed, reference.settings())}


@then("只能工作日晚上参加的党员都未被安排")
def evening_only_left_out(seen):
    evening_only = {m.code for m in seen["instance"].members
                    if m.availability is Availability.EVENING}
    assert evening_only and set(seen["outcome"].plan.uncovered) == evening_only


@then('每人的原因是"仅工作日晚上可参加；……没有该时段的项目"')
def evening_reason(seen):
    for reason in seen["outcome"].plan.uncovered.values():
        assert reason.startswith("仅工作日晚上可参加；") and reason.endswith("没有该时段的项目")


@given("2026年12月的计划已发布", target_fixture="published")
def published(fresh_db, tmp_path, district):
    importer.write_workbooks(district, tmp_path / "u.xlsx", tmp_path / "m.xlsx")
    importer.import_spreadsheets(fresh_db, SECRETARY, tmp_path / "u.xlsx", tmp_path / "m.xlsx",
                                 communities())
    draft = plans.draft_plan(fresh_db, SECRETARY, MONTH)
    return plans.publish(fresh_db, SECRETARY, draft.id)


@when("社区录入签到，其中两名党员缺席", target_fixture="seen")
def sign_in(fresh_db, published):
    with fresh_db.reading() as uow:
        rows = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == published.id)).all()
    by_activity: dict[str, list[str]] = {}
    for r in rows:
        by_activity.setdefault(r.activity_code, []).append(r.member_code)
    absent = {"M000007", "M000123"}
    for activity, people in by_activity.items():
        plans.record_attendance(fresh_db, SECRETARY, MONTH, activity,
                                [p for p in people if p not in absent])
    return {"absent": absent, "report": compliance.month_end(fresh_db, MONTH)}


@then('月底合规报告的 QL-11b 发现恰好是这两名党员，原因为"缺席"')
def absentees_named(seen):
    absent = [f for f in seen["report"]["findings"]
              if f["clause"] == "QL-11b" and f["reason_zh"].startswith("缺席")]
    assert {f["subject"] for f in absent} == seen["absent"]


@then("每条发现写明单位、社区和街道")
def findings_located(seen):
    for finding in seen["report"]["findings"]:
        assert finding["unit"].startswith("U") and finding["community"] in NAMES.values()
        assert STREET_ZH[finding["street"]] == "海沧街道"


# an infeasible month ------------------------------------------------------------------------

@when("所有活动容量降为3人后排班", target_fixture="seen")
def cut_to_three(district):
    instance = reference.month_instance(MONTH, district)
    short = dataclasses.replace(instance, activities=[
        dataclasses.replace(a, capacity=3) for a in instance.activities])
    outcome = plan_month(short, reference.settings())
    return {"instance": short, "outcome": outcome, "why": explain(outcome.network)}


@then("解释写明党员人数、可开座位数和缺口人数")
def explanation_counts(seen):
    why = seen["why"]
    assert (why.members, why.max_coverage) == (400, why.seats_under_k)
    assert why.summary_zh.startswith(f"400名党员需要座位；每社区每时段最多开3个活动时最多"
                                     f"{why.seats_under_k}个座位")
    assert why.summary_zh.endswith(f"缺{400 - why.max_coverage}人")


@then("解释列出座位已满的社区和时段类别，座位少于竞争的党员")
def saturated_groups(seen):
    groups = seen["why"].groups
    assert groups
    for g in groups:
        assert g.community in NAMES.values() and g.kind in SlotKind
        assert g.seats < g.competing and g.short > 0


@then("仍给出其余规则都成立的部分计划，每名未安排的党员都有原因")
def partial_plan(seen):
    outcome = seen["outcome"]
    assert set(outcome.verdict.by_rule()) == {"coverage"}
    assert len(outcome.plan.uncovered) == outcome.verdict.by_rule()["coverage"]
    assert all(outcome.plan.uncovered.values())


@then("解释给出补救办法，例如某社区增加若干周末座位")
def fixes(seen):
    assert any("增加" in f and "周末座位" in f for f in seen["why"].fixes)


# decline and repair -------------------------------------------------------------------------

@given("2026年12月的计划已排出", target_fixture="seen")
def planned(december):
    instance, outcome = december
    return {"instance": instance, "outcome": outcome}


@when("10名党员各请假一次活动")
def ten_decline(seen):
    plan = seen["outcome"].plan
    chosen = random.Random(10).sample(sorted(plan.assignments.items()), 10)
    seen["declines"] = [(m, acts[0]) for m, acts in chosen]
    seen["fixed"] = repair(seen["outcome"].network, plan, seen["declines"])


@then("这10名党员都被安排到别的活动，不再安排到请假的活动")
def declined_moved(seen):
    for member, activity in seen["declines"]:
        now = seen["fixed"].plan.assignments[member]
        assert now and activity not in now


@then("其他390名党员的安排不变")
def others_keep(seen):
    declined = dict(seen["declines"])
    before = seen["outcome"].plan.assignments
    kept = [m for m in before if m not in declined
            and set(before[m]) <= set(seen["fixed"].plan.assignments[m])]
    assert len(kept) == 390


# rotation -----------------------------------------------------------------------------------

@when("连续排出2026年12月、2027年1月和2月的计划，每月按历史加权", target_fixture="seen")
def three_months(district):
    members, got, forgetful = list(district.members), [], []
    for month in ("2026-12", "2027-01", "2027-02"):
        instance = reference.month_instance(month, district, members=members)
        outcome = plan_month(instance, reference.settings())
        received = rules.unpopular_received(instance, outcome.plan)
        got.append(received)
        members = [dataclasses.replace(m, history=rules.next_history(m.history,
                                                                     received[m.code]))
                   for m in members]
        plain = reference.month_instance(month, district)
        forgetful.append(rules.unpopular_received(plain, plan_month(
            plain, reference.settings()).plan))
    return {"got": got, "forgetful": forgetful}


def three_times(months) -> int:
    december, january, february = months
    return sum(bool(december[m] and january[m] and february[m]) for m in december)


@then("三个月都排到不受欢迎时段的党员少于不计历史时")
def fewer_three_times(seen):
    assert three_times(seen["got"]) < three_times(seen["forgetful"])


@then("12月排到不受欢迎时段的党员，1月再排到的人数少于不计历史时")
def fewer_repeats(seen):
    december, january = seen["got"][0], seen["got"][1]
    had = [m for m, n in december.items() if n]
    assert sum(bool(january[m]) for m in had) < sum(
        bool(seen["forgetful"][1][m]) for m in had)
    assert Counter(bool(december[m]) for m in december)[True] > 0


# swaps --------------------------------------------------------------------------------------

BEFORE_DECEMBER = date(2026, 11, 25)  # every December activity is more than 3 days away


def published_month(db, plan_id: int) -> tuple[Instance, Plan]:
    with db.reading() as uow:
        row = uow.session.get(VolunteerPlan, plan_id)
        district = plans.district_from(uow.session)
        hosts = row.hosts
        rows = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == plan_id, VolunteerAssignment.status == "planned"))
        assignments: dict[str, tuple[str, ...]] = {}
        for r in rows:
            assignments[r.member_code] = (*assignments.get(r.member_code, ()), r.activity_code)
    return reference.month_instance(MONTH, district), Plan(hosts, assignments)


def interchangeable(instance: Instance, plan: Plan) -> tuple[str, str]:
    """Two members the rules cannot tell apart (unit, home, availability, one activity each)
    at different activities, neither of them at a concentrated activity."""
    hosted = set(plan.hosts.values())
    seen: dict[tuple, tuple[str, str]] = {}
    for m in instance.members:
        acts = plan.assignments.get(m.code, ())
        if m.requested != 1 or len(acts) != 1 or acts[0] in hosted:
            continue
        key = (m.unit, m.home, m.availability)
        if key in seen and seen[key][1] != acts[0]:
            return seen[key][0], m.code
        seen.setdefault(key, (m.code, acts[0]))
    raise AssertionError("no two interchangeable members in the plan")


@when("社区为两名同单位、同报到社区的党员互换各自的活动", target_fixture="seen")
def exchange(fresh_db, published):
    instance, before = published_month(fresh_db, published.id)
    a, b = interchangeable(instance, before)
    (x,), (y,) = before.assignments[a], before.assignments[b]
    now = swaps.swap(fresh_db, SECRETARY, MONTH, swaps.Swap(a, x, y, with_member=b),
                     BEFORE_DECEMBER)
    return {"before": before, "pair": (a, b), "acts": (x, y), "now": now}


@then("两人各自参加对方原来的活动")
def exchanged(seen):
    (a, b), (x, y) = seen["pair"], seen["acts"]
    assert seen["now"] == {a: [y], b: [x]}


@then("其他党员的安排不变，校验结果仍为全部硬性规则成立")
def others_unchanged_and_valid(fresh_db, published, seen):
    instance, after = published_month(fresh_db, published.id)
    changed = {m for m in after.assignments
               if set(after.assignments[m]) != set(seen["before"].assignments[m])}
    assert changed == set(seen["pair"])
    assert rules.validate(instance, after).holds


@then("审计记录写明两人互换前后的活动")
def swap_audited(fresh_db, seen):
    with fresh_db.reading() as uow:
        event = uow.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "volunteer_plan.swapped")).one()
    (a, b), (x, y) = seen["pair"], seen["acts"]
    assert event.before == {a: [x], b: [y]} and event.after == {a: [y], b: [x]}


@when("主办单位的一名党员要求离开本单位的集中活动，换到别的活动", target_fixture="seen")
def host_member_leaves(fresh_db, published):
    instance, before = published_month(fresh_db, published.id)
    unit_of = {m.code: m.unit for m in instance.members}
    unit, hosted = next((u, a) for u, a in sorted(before.hosts.items())
                        if sum(hosted_by_own(before, a, u, unit_of)) == 3)
    member = next(m for m, acts in sorted(before.assignments.items())
                  if hosted in acts and unit_of[m] == unit)
    elsewhere = next(a for a in sorted(before.open_activities())
                     if a not in before.assignments[member])
    try:
        swaps.swap(fresh_db, SECRETARY, MONTH, swaps.Swap(member, hosted, elsewhere),
                   BEFORE_DECEMBER)
    except Conflict as refused:
        return {"refused": str(refused), "before": before}
    return {"refused": None, "before": before}


def hosted_by_own(plan: Plan, activity: str, unit: str, unit_of: dict[str, str]):
    return (unit_of[m] == unit for m, acts in plan.assignments.items() if activity in acts)


@then("换班被拒绝，说明主办单位到场党员不足")
def refused_for_hosting(seen):
    assert seen["refused"] and "hosting (QL-11a)" in seen["refused"]


@then("计划不变")
def plan_unchanged(fresh_db, published, seen):
    assert published_month(fresh_db, published.id)[1].assignments == seen["before"].assignments


def free_move(instance: Instance, plan: Plan) -> tuple[str, str, str]:
    """A member and a move to an open activity with a free seat that breaks no rule."""
    loads = plan.loads()
    capacity = {a.code: a.capacity for a in instance.activities}
    free = [a for a in sorted(plan.open_activities()) if loads[a] < capacity[a]]
    for m in sorted(plan.assignments):
        for left in plan.assignments[m]:
            for target in free:
                if target in plan.assignments[m]:
                    continue
                moved = dict(plan.assignments) | {m: tuple(
                    target if a == left else a for a in plan.assignments[m])}
                if rules.validate(instance, Plan(plan.hosts, moved)).holds:
                    return m, left, target
    raise AssertionError("no member can move to a free seat")


@when(parsers.parse("一名党员在活动前{days:d}天要求换到有空位的活动"), target_fixture="seen")
def move_days_before(fresh_db, published, days):
    instance, before = published_month(fresh_db, published.id)
    member, left, target = free_move(instance, before)
    first = min(date.fromisoformat(a.split("@")[1][:10]) for a in (left, target))
    try:
        swaps.swap(fresh_db, SECRETARY, MONTH, swaps.Swap(member, left, target),
                   first - timedelta(days=days))
    except InvalidInput:
        return {"result": "太晚，不能换班"}
    return {"result": "已换班"}


@then(parsers.parse('换班结果为"{result}"'))
def swap_result(seen, result):
    assert seen["result"] == result
