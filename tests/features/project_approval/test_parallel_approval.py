"""Steps of the parallel project approval features (HC-14b), on the use cases and the plan;
the flow itself is driven end to end in tests/e2e/test_project_approval.py."""

from datetime import date

from pytest_bdd import given, parsers, scenarios, then, when

from policies.access import Actor, Role
from services.platform.reference_data import read_calendar, read_ladders
from services.project_approval import projects
from services.project_approval.plan import read_project_plan
from services.project_approval.projects import ProjectCreate
from services.work import escalations, work_items
from services.work.work_items import StageSpec

scenarios("project_approval")

calendar, plan = read_calendar(), read_project_plan()
clerk = Actor(username="clerk-st-02", role=Role.CLERK, station="st-02")
NAMES = {"规划许可": "planning-permit", "环评": "environmental-assessment",
         "消防设计审查": "fire-design-review", "水土保持": "soil-conservation",
         "人防设计审查": "civil-air-defence", "施工许可": "construction-permit"}


def file(db, on: date):
    return projects.start_project(db, calendar, plan, clerk, ProjectCreate(
        enterprise="厦门某半导体有限公司", credit_code="91350100M000100Y43", project="新厂房",
        land_contract_no="XM2026-0001", station="st-02"), on)


def open_round(db, project_id: int, number: int, on: date):
    together = plan.rounds()[number - 1]
    groups = {f"department:{a.department}": a for a in together}
    return work_items.open_stage(db, StageSpec(
        case_id=project_id, step="approval", attempt=number, mode="all", form="approval",
        title="并联审批", groups=list(groups),
        titles_by_group={g: a.name_zh for g, a in groups.items()},
        due_on_by_group={g: calendar.add_working_days(on, a.working_days)
                         for g, a in groups.items()}))


@when("企业递交建设项目和土地出让合同", target_fixture="seen")
def submit(db):
    on = date(2026, 6, 1)
    filed = file(db, on)
    open_round(db, filed.id, 1, on)  # what the flow does first (tests/e2e shows it does)
    return {"project": projects.get_project(db, calendar, plan, clerk, filed.id, on)}


@then("规划许可、环评、消防设计审查、水土保持、人防设计审查同时进入各部门待办")
def first_round_open(seen):
    status = {a.code: a.status for a in seen["project"].approvals}
    first = ["规划许可", "环评", "消防设计审查", "水土保持", "人防设计审查"]
    assert all(status[NAMES[n]] == "open" for n in first)
    assert len({a.department for a in seen["project"].approvals
                if a.code != "construction-permit"}) == 5


@then("施工许可尚未开始")
def permit_not_open(seen):
    status = {a.code: a.status for a in seen["project"].approvals}
    assert status["construction-permit"] == "not-open"


@when("查看并联审批的安排", target_fixture="seen")
def read_plan():
    return {"rounds": plan.rounds()}


@then("施工许可排在第二轮，前置为其他五项审批")
def permit_second(seen):
    first, second = seen["rounds"]
    assert [a.code for a in second] == ["construction-permit"]
    assert set(second[0].requires) == {a.code for a in first}


@then(parsers.parse("关键路径上的审批时限之和不超过{days:d}个工作日"))
def critical_path_fits(days):
    assert plan.planned_working_days() <= days == plan.commitment_working_days


@when(parsers.parse("项目于{accepted}受理"), target_fixture="seen")
def accepted(db, accepted):
    return {"project": file(db, date.fromisoformat(accepted))}


@then(parsers.parse("承诺在{due}前核发施工许可"))
def committed(seen, due):
    assert seen["project"].commitment_due_on.isoformat() == due


@given("一个项目的规划许可已超过时限，其他审批均已办结", target_fixture="seen")
def planning_late(db):
    on = date(2026, 6, 1)
    filed = file(db, on)
    items = {i.candidate_group: i for i in open_round(db, filed.id, 1, on)}
    for group, item in items.items():
        if group != "department:natural-resources-planning":
            department = group.split(":")[1]
            work_items.decide(db, calendar, Actor(username=f"officer-{department}",
                                                  role=Role.OFFICER, department=department),
                              item.id, {"outcome": "approve"}, on)
    return {"project": filed, "late": items["department:natural-resources-planning"]}


@when(parsers.parse("督办巡查在规划许可超期{days:d}个工作日时运行两次"))
def sweep_twice(db, seen, days):
    when_ = calendar.add_working_days(seen["late"].due_on, days)
    seen["applied"] = [a for _ in range(2)
                       for a in escalations.sweep(db, calendar, read_ladders(), when_)
                       if a.case_id == seen["project"].id]


@then("自然资源和规划部门负责人收到1次超期督办")
def head_once(seen):
    assert [a.notified for a in seen["applied"]].count("head:natural-resources-planning") == 1


@then("区一站式服务中心收到1次升级督办")
def centre_once(seen):
    assert [a.notified for a in seen["applied"]].count("one-stop-centre") == 1


@then("其他部门没有被督办")
def nobody_else(seen):
    assert {a.work_item_id for a in seen["applied"]} == {seen["late"].id}


def test_a_joint_review_is_recorded_on_the_project(db, client, login):
    filed = file(db, date(2026, 6, 1))
    officer = login("officer-ecology-environment")
    meeting = {"topic": "环评与规划对排放口位置意见不一致", "held_on": "2026-06-02",
               "departments": ["ecology-environment", "natural-resources-planning"],
               "outcome": "排放口东移30米，两部门据此审批"}
    recorded = client.post(f"/api/v1/projects/{filed.id}/joint-reviews", headers=officer,
                           json=meeting)
    assert recorded.status_code == 201, recorded.text
    shown = client.get(f"/api/v1/projects/{filed.id}", headers=officer).json()
    assert [m["outcome"] for m in shown["joint_reviews"]] == [meeting["outcome"]]
    stranger = client.post(f"/api/v1/projects/{filed.id}/joint-reviews",
                           headers=login("officer-education"), json=meeting)
    assert stranger.status_code == 404  # out of scope: the project is not theirs to see
    outsider = client.post(f"/api/v1/projects/{filed.id}/joint-reviews", headers=officer,
                           json=meeting | {"departments": ["ecology-environment", "health"]})
    assert outsider.status_code == 422 and outsider.json()["errors"][0]["field"] == \
        "departments"
