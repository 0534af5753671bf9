"""Steps of the 1+5+N staffing feature (QL-06), on the project's roster and the gap rule."""

from pytest_bdd import parsers, scenarios, then, when

from policies.grid.staffing import TYPE_NAMES_ZH, GridStaff, MemberType, gaps
from services.grid.reference import read_staffing, staffing_report

scenarios("grid/staffing.feature")

G01 = "haicang-street-haicang-g01"
BY_NAME = {name: kind for kind, name in TYPE_NAMES_ZH.items()}


@when("查看全区网格的配备", target_fixture="seen")
def roster(db):
    return {"roster": read_staffing(), "gaps": staffing_report(db)}


@then("70个网格都有配备名单")
def seventy(seen):
    assert len(seen["roster"].grids) == 70


@then("只有鳌冠社区第二网格缺环卫人员")
def one_gap(seen):
    assert seen["gaps"] == {"haicang-street-aoguan-g02": ["缺环卫人员"]}


@when(parsers.parse("海沧社区第一网格{situation}"), target_fixture="seen")
def staffed(situation):
    members = {t: "某某" for t in MemberType}
    leader = "林网格长"
    if situation == "缺网格长":
        leader = None
    elif situation.startswith("缺"):
        members.pop(BY_NAME[situation.removeprefix("缺")])
    return {"gaps": gaps(GridStaff(grid=G01, leader=leader, members=members, dynamic=0), G01)}


@then(parsers.parse('提示"{told}"'))
def told(seen, told):
    assert seen["gaps"] == ([] if told == "配备齐全" else [told])
