from collections import Counter

from pytest_bdd import parsers, scenarios, then, when

from services.platform.reference_data import read_reference
from tests.features.conftest import get_all

scenarios("organisation/org_tree.feature")

LEVEL_OF_COMMITTEE = {"街道大党工委": "street", "社区大党委": "community",
                      "网格党支部": "grid", "楼栋党小组": "building"}


@when("工作人员查看全区组织体系")
def read_tree(client, seen):
    seen["units"] = get_all(client, "/api/v1/org/units")


@then(parsers.parse("全区有 {count:d} 个{committee}"))
def committee_count(seen, count, committee):
    assert Counter(u["committee_zh"] for u in seen["units"])[committee] == count


@when("工作人员查看每个街道大党工委的第一书记")
def read_first_secretaries(seen):
    # Who holds the post is reference data, not an API resource: read the handbook's data.
    seen["streets"] = read_reference().district.streets


@then("每位第一书记都由区委常委兼任")
def first_secretaries_are_standing_members(seen):
    assert len(seen["streets"]) == 4
    assert all(s.first_secretary_is_district_standing_member for s in seen["streets"])


@when(parsers.parse("工作人员查看全部{committee}"))
def read_level(client, seen, committee):
    seen["units"] = get_all(client, "/api/v1/org/units")
    seen["level"] = LEVEL_OF_COMMITTEE[committee]


@then(parsers.parse("每个{child}都隶属于一个{parent}"))
def each_belongs_to_a_parent(seen, child, parent):
    by_code = {u["code"]: u for u in seen["units"]}
    children = [u for u in seen["units"] if u["committee_zh"] == child]
    assert children
    assert all(by_code[u["parent"]]["committee_zh"] == parent for u in children)


@then("每个网格党支部下至少有一个楼栋党小组")
def every_grid_has_buildings(seen):
    parents_of_buildings = {u["parent"] for u in seen["units"] if u["level"] == "building"}
    grids = {u["code"] for u in seen["units"] if u["level"] == "grid"}
    assert grids and grids <= parents_of_buildings
