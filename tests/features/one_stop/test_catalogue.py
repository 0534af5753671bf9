from pytest_bdd import parsers, scenarios, then, when

from tests.features.conftest import get_all

scenarios("one_stop/catalogue.feature")


@when("工作人员查看一站式服务中心的进驻部门")
def read_departments(client, seen):
    seen["departments"] = get_all(client, "/api/v1/catalogue/departments")


@then(parsers.parse("进驻部门共有 {count:d} 个"))
def department_count(seen, count):
    assert len(seen["departments"]) == count


@when("工作人员查看服务目录")
def read_catalogue(client, seen):
    seen["services"] = get_all(client, "/api/v1/catalogue/services")
    seen["departments"] = get_all(client, "/api/v1/catalogue/departments")


@then("每项服务都写明了一个责任部门")
def each_service_has_a_department(seen):
    assert all(isinstance(s["department"], str) and s["department"] for s in seen["services"])


@then("每个责任部门都是进驻中心的部门")
def departments_are_hosted(seen):
    hosted = {d["code"] for d in seen["departments"]}
    assert {s["department"] for s in seen["services"]} <= hosted


@when("工作人员查看已下放的便民服务")
def read_delegated(client, seen):
    seen["services"] = get_all(client, "/api/v1/catalogue/services", delegated="true")


@then(parsers.parse("已下放的便民服务共有 {count:d} 项"))
def delegated_count(seen, count):
    assert len(seen["services"]) == count
    assert all(s["delegated"] for s in seen["services"])


@when("工作人员查看基层服务站名单")
def read_stations(client, seen):
    seen["stations"] = get_all(client, "/api/v1/catalogue/stations")
    seen["streets"] = get_all(client, "/api/v1/org/units", level="street")


@then(parsers.parse("基层服务站共有 {count:d} 个"))
def station_count(seen, count):
    assert len(seen["stations"]) == count


@then("全区4个街道都至少有一个基层服务站")
def every_street_has_a_station(seen):
    assert len(seen["streets"]) == 4
    assert {s["code"] for s in seen["streets"]} == {st["street"] for st in seen["stations"]}


@when("申请人查看任一项已下放服务的办事指南")
def read_guides(client, seen):
    seen["services"] = get_all(client, "/api/v1/catalogue/services", delegated="true")


@then("指南列明所需材料，并注明哪些须交验原件")
def guides_list_materials(seen):
    for service in seen["services"]:
        materials = service["guide"]["materials"]
        assert materials, service["code"]
        assert all(isinstance(m["original"], bool) and m["name_zh"] for m in materials)


@then("指南写明承诺时限，且不超过法定时限")
def promised_within_legal(seen):
    for service in seen["services"]:
        guide = service["guide"]
        assert 0 <= guide["promised_working_days"] <= guide["legal_working_days"], service


@when("工作人员查看标注为马上办的服务")
def read_on_the_spot(client, seen):
    seen["spot"] = get_all(client, "/api/v1/catalogue/services", on_the_spot="true")
    seen["other"] = get_all(client, "/api/v1/catalogue/services", on_the_spot="false")


@then(parsers.parse("这些服务的承诺时限都是 {days:d} 个工作日"))
def on_the_spot_days(seen, days):
    assert seen["spot"]
    assert {s["guide"]["promised_working_days"] for s in seen["spot"]} == {days}


@then(parsers.parse("其他服务的承诺时限至少为 {days:d} 个工作日"))
def other_days(seen, days):
    assert min(s["guide"]["promised_working_days"] for s in seen["other"]) >= days
