"""Steps of the human-task features: deadlines, escalation, 会签/或签, returns.

They drive the use cases the API and the flows call, on the test database; that the flows
really suspend and resume on these decisions is shown end to end in tests/e2e/."""

from datetime import date

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from flows.one_stop.approval_steps import correction, delivery
from policies.access import Actor, Role
from policies.decisions import ApprovalDecision
from services.platform.db import models
from services.platform.errors import Conflict
from services.platform.reference_data import read_calendar, read_ladders
from services.work import cases, escalations, work_items
from services.work.cases import CaseCreate
from services.work.work_items import StageSpec, WorkItemSpec

scenarios("human_tasks")

calendar, ladders = read_calendar(), read_ladders()
DEPARTMENT_ZH = {"民政": "civil-affairs", "卫健": "health", "住建": "housing-construction"}
clerk = Actor(username="clerk-st-09", role=Role.CLERK, station="st-09")


def officer(department: str) -> Actor:
    return Actor(username=f"officer-{department}", role=Role.OFFICER, department=department)


def a_service(db, *, days: int | None = None, department: str | None = None):
    with db.reading() as uow:
        stmt = select(models.Service).where(models.Service.on_the_spot.is_(False))
        if days:
            stmt = stmt.where(models.Service.promised_working_days == days)
        if department:
            stmt = stmt.where(models.Service.department_code == department)
        return uow.session.scalars(stmt.order_by(models.Service.code)).first()


def start_case_on(db, service, on: date):
    case = cases.start_case(db, calendar, clerk, CaseCreate(
        service=service.code, station="st-09", subject="规则测试"), on)
    item = work_items.open_item(db, WorkItemSpec(
        case_id=case.id, step="department-review", title="审批", form="approval",
        candidate_group=f"department:{service.department_code}"))
    return case, item


def case_now(db, case_id: int):
    return cases.get_case(db, Actor(username="auditor", role=Role.AUDITOR), case_id)


# 办理时限 ------------------------------------------------------------------------------


@given(parsers.parse("一件事项于{start}受理，承诺{days:d}个工作日办结"), target_fixture="seen")
def accepted_on(start, days):
    return {"start": start, "days": days}


@when("窗口人员查询到期日")
def ask_due_date(client, seen):
    seen["due"] = client.get("/api/v1/calendar/due-date", params={
        "start": seen["start"], "working_days": seen["days"]}).json()["due"]


@then(parsers.parse("到期日是{due}"))
def due_is(seen, due):
    assert seen["due"] == due


DATE = r"(?P<{}>\d{{4}}-\d{{2}}-\d{{2}})"


@given(parsers.re("一件承诺5个工作日办结的事项于" + DATE.format("accepted") + "受理，到期日是"
                  + DATE.format("due") + "(，部门尚未办理)?$"), target_fixture="seen")
def five_day_case(db, accepted, due):
    service = a_service(db, days=5)
    case, item = start_case_on(db, service, date.fromisoformat(accepted))
    assert str(case.due_on) == due
    return {"case": case, "item": item, "department": service.department_code}


@given(parsers.parse("部门于{day}退回申请人补正材料"))
def returned_on(db, seen, day):
    work_items.decide(db, calendar, officer(seen["department"]), seen["item"].id,
                      {"outcome": "return", "corrections": ["身份证复印件"]},
                      date.fromisoformat(day))
    fix = work_items.open_item(db, WorkItemSpec(
        case_id=seen["case"].id, step="correction", title="补正", form="correction",
        candidate_group="station:st-09", due="none", ladder=None))
    seen["correction"] = fix


@when(parsers.parse("服务站于{day}确认申请人已补齐材料"))
def correction_done(db, seen, day):
    work_items.decide(db, calendar, clerk, seen["correction"].id,
                      {"supplied": ["身份证复印件"]}, date.fromisoformat(day))


@then(parsers.parse("到期日顺延为{due}"))
def due_moved(db, seen, due):
    assert str(case_now(db, seen["case"].id).due_on) == due


# 逐级督办 ------------------------------------------------------------------------------


@when(parsers.re("督办巡查在" + DATE.format("day") + "运行(?P<times>两次)?$"))
def sweep(db, seen, day, times):
    seen["applied"] = []
    for _ in range(2 if times else 1):
        seen["applied"] += [a for a in escalations.sweep(db, calendar, ladders,
                                                         date.fromisoformat(day))
                            if a.case_id == seen["case"].id]


RECIPIENT = {"本部门": "department:{}", "部门负责人": "head:{}",
             "区一站式服务中心": "one-stop-centre"}


@then(parsers.re("(?P<who>本部门|部门负责人|区一站式服务中心)收到1次(?P<what>.+)$"))
def notified_once(seen, who, what):
    to = RECIPIENT[who].format(seen["department"])
    assert [a.notified for a in seen["applied"]].count(to) == 1


@then("这件事项没有被督办")
def not_escalated(seen):
    assert seen["applied"] == []


# 会签与或签 ----------------------------------------------------------------------------


@given(parsers.re("民政、卫健、住建三个部门(?P<kind>会签|或签)一件事项"), target_fixture="seen")
def stage(db, kind):
    case = cases.start_case(db, calendar, clerk, CaseCreate(
        service=a_service(db).code, station="st-09", subject="联合办理"), date(2026, 4, 7))
    spec = StageSpec(case_id=case.id, step="joint-review", title="联合办理", form="approval",
                     mode="all" if kind == "会签" else "any",
                     groups=[f"department:{d}" for d in DEPARTMENT_ZH.values()],
                     flow_run_id="00000000-0000-0000-0000-0000000bdd01")
    items = {i.candidate_group.split(":")[1]: i for i in work_items.open_stage(db, spec)}
    return {"case": case, "stage": spec, "items": items}


def sign(db, seen, names: str):
    for name in names.replace("和", "、").split("、"):
        department = DEPARTMENT_ZH[name]
        work_items.decide(db, calendar, officer(department), seen["items"][department].id,
                          {"outcome": "approve"}, date(2026, 4, 7))


@given(parsers.re("(?P<names>.+)已签署同意$"))
def signed_before(db, seen, names):
    sign(db, seen, names)


@when(parsers.re("(?P<names>民政和卫健|卫健)签署同意$"))
def signs(db, seen, names):
    sign(db, seen, names)


@when("三个部门都签署同意")
def all_sign(db, seen):
    sign(db, seen, "民政、卫健、住建")


def stage_result(db, seen):
    return work_items.stage_result(db, seen["case"].id, seen["stage"].stage_key)


@then("事项仍在等待住建签署")
def still_waiting(db, seen):
    assert stage_result(db, seen) is None
    waiting = work_items.get(db, officer("housing-construction"),
                             seen["items"]["housing-construction"].id)
    assert waiting.status == "open"


@then(parsers.parse("事项继续办理，带入{count:d}个部门的意见"))
def goes_on(db, seen, count):
    result = stage_result(db, seen)
    assert result is not None and len(result.decisions) == count


@then("民政和住建的待办已撤回")
def others_withdrawn(db, seen):
    for department in ("civil-affairs", "housing-construction"):
        item = work_items.get(db, officer(department), seen["items"][department].id)
        assert item.status == "withdrawn"


@when("民政对已撤回的待办作出决定", target_fixture="refusal")
def decide_withdrawn(db, seen):
    with pytest.raises(Conflict) as refused:
        sign(db, seen, "民政")
    return str(refused.value)


@then("决定不被接受，因为待办已撤回")
def refused_as_withdrawn(refusal):
    assert "withdrawn" in refusal


# 驳回与退回 ----------------------------------------------------------------------------


@given("一件审批事项等待民政部门办理", target_fixture="seen")
def waiting_for_civil_affairs(db):
    service = a_service(db, department="civil-affairs")
    case, item = start_case_on(db, service, date(2026, 4, 8))
    return {"case": case, "item": item, "department": "civil-affairs"}


@when("民政部门驳回申请但没有写理由", target_fixture="refusal")
def reject_without_reasons(db, seen):
    with pytest.raises(Exception) as refused:
        work_items.decide(db, calendar, officer("civil-affairs"), seen["item"].id,
                          {"outcome": "reject"}, date(2026, 4, 8))
    return refused.value


@then(parsers.parse('驳回不被接受，提示"{message}"'))
def rejection_refused(db, seen, refusal, message):
    assert (refusal.field, refusal.detail) == ("reasons", message)
    assert work_items.get(db, officer("civil-affairs"), seen["item"].id).status == "open"


@when(parsers.parse('民政部门退回申请，要求补正"{material}"'))
def return_for_correction(db, seen, material):
    decision = work_items.decide(db, calendar, officer("civil-affairs"), seen["item"].id,
                                 {"outcome": "return", "corrections": [material]},
                                 date(2026, 4, 8)).decision
    facts = cases.facts(db, seen["case"].id)
    seen["correction"] = work_items.open_item(db, correction(
        facts, 1, ApprovalDecision.model_validate(decision)))


@then(parsers.parse('受理服务站收到待办"{title}"'))
def station_gets_correction(seen, title):
    assert (seen["correction"].candidate_group, seen["correction"].title) == (
        "station:st-09", title)


@then("办理时限在补正期间停止计算")
def clock_stopped(db, seen):
    assert case_now(db, seen["case"].id).clock_suspended_on == date(2026, 4, 8)


# 退回到前序环节与撤回 ------------------------------------------------------------------


@given("一件事项部门已批准，等待服务站确认送达", target_fixture="seen")
def approved_awaiting_delivery(db):
    seen = waiting_for_civil_affairs(db)
    work_items.decide(db, calendar, officer("civil-affairs"), seen["item"].id,
                      {"outcome": "approve"}, date(2026, 4, 8))
    seen["delivery"] = work_items.open_item(db, delivery(cases.facts(db, seen["case"].id)))
    return seen


@given("服务站已领取送达确认待办")
def station_claimed(db, seen):
    work_items.claim(db, clerk, seen["delivery"].id)


@when(parsers.parse('服务站以"{reasons}"为由退回部门审批环节'))
def station_returns(db, seen, reasons):
    work_items.return_to(db, clerk, seen["delivery"].id, "department-review", reasons)


@then(parsers.parse('部门审批环节重新等待部门办理，并记录理由"{reasons}"'))
def review_reopened(db, seen, reasons):
    review = work_items.get(db, officer("civil-affairs"), seen["item"].id)
    assert (review.status, review.decision) == ("open", None)
    history = work_items.history(db, officer("civil-affairs"), seen["item"].id)
    assert (history[-1]["action"], history[-1]["note"]) == ("work_item.reopened", reasons)


@then("送达确认待办已撤回")
def delivery_withdrawn(db, seen):
    assert work_items.get(db, clerk, seen["delivery"].id).status == "withdrawn"
    with pytest.raises(Conflict):
        work_items.decide(db, calendar, clerk, seen["delivery"].id, {"method": "counter"},
                          date(2026, 4, 9))


@when("部门撤回自己的批准", target_fixture="outcome")
def officer_withdraws(db, seen):
    try:
        return work_items.withdraw(db, officer("civil-affairs"), seen["item"].id)
    except Conflict as refused:
        return refused


@then("部门审批环节重新由该审批人办理")
def back_with_the_officer(outcome):
    assert (outcome.status, outcome.assignee, outcome.decision) == (
        "claimed", "officer-civil-affairs", None)


@then("撤回不被接受，因为下一环节已有人办理")
def withdrawal_refused(outcome):
    assert isinstance(outcome, Conflict) and "already acted" in outcome.detail
