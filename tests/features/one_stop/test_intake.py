"""Steps of the intake features (HC-11c, HC-11e, HC-12), through the HTTP API."""

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from services.one_stop.models import Notice
from tests.integration.one_stop.test_intake import ENTERPRISE, PERSON, codes, services

scenarios("one_stop/intake.feature")


@pytest.fixture
def clerk(login):
    return login("clerk-st-14")


def submit(client, clerk, service, materials, **extra):
    return client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-14", "applicant": PERSON,
        "materials": materials, **extra})


@given("一项服务需要三份以上材料，申请人只带来了第一份", target_fixture="seen")
def three_materials(db):
    service = next(s for s in services(db, on_the_spot=False) if len(s.materials) >= 3)
    return {"service": service, "required": codes(service)}


@given("服务站已受理申请并出具了告知书")
@when("服务站受理申请")
def accept(client, clerk, seen):
    provided = seen["required"] if seen["service"].on_the_spot else seen["required"][:1]
    seen["answer"] = submit(client, clerk, seen["service"], provided).json()


@then("申请人拿到受理编号和一份一次性告知书")
def receipt_and_notice(seen):
    assert seen["answer"]["receipt_no"] and seen["answer"]["notice"]


@then("告知书列明其余全部所缺材料")
def notice_lists_all(seen):
    assert seen["answer"]["notice"] == seen["required"][1:]


@when("申请人先补交一份，再补齐其余材料")
def supply_twice(client, clerk, seen):
    url = f"/api/v1/applications/{seen['answer']['id']}/materials"
    client.post(url, headers=clerk, json={"materials": seen["required"][1:2]})
    seen["answer"] = client.post(url, headers=clerk,
                                 json={"materials": seen["required"][2:]}).json()


@then("申请转入部门办理")
def goes_to_department(seen):
    assert seen["answer"]["status"] == "in_progress"


@then("整个过程只有一份告知书")
def one_notice(db, seen):
    with db.reading() as uow:
        assert len(uow.session.scalars(select(Notice).where(
            Notice.case_id == seen["answer"]["id"])).all()) == 1


@given("一项马上办服务，申请人带齐了全部材料", target_fixture="seen")
def on_the_spot(db):
    service = services(db, on_the_spot=True)[0]
    return {"service": service, "required": codes(service)}


@then("申请当场办结，可以打印办理结果")
def decided_now(client, clerk, seen):
    assert seen["answer"]["status"] == "approved"
    url = f"/api/v1/applications/{seen['answer']['id']}/documents/certificate"
    assert client.get(url, headers=clerk).status_code == 200


@given("一项服务有可容缺的次要材料，也有不可容缺的主要材料", target_fixture="seen")
def mixed(db):
    service = next(s for s in services(db, on_the_spot=False)
                   if codes(s, deferrable=True) and codes(s, deferrable=False))
    return {"service": service}


@when(parsers.parse("申请人缺少{what}并书面承诺后补"))
def defer(client, clerk, seen, what):
    service = seen["service"]
    missing = codes(service, deferrable=(what == "一份次要材料"))[0]
    seen["response"] = submit(client, clerk, service,
                              [c for c in codes(service) if c != missing],
                              deferrals=[{"material": missing, "promised_by": "2026-12-31"}])


@then("申请被受理，次要材料待补")
def accepted_with_promise(seen):
    body = seen["response"].json()
    assert body["status"] == "in_progress" and len(body["deferred"]) == 1


@then("承诺不被接受")
def promise_refused(seen):
    assert seen["response"].status_code == 422


@when("服务专员为企业递交申请", target_fixture="seen")
def specialist_files(client, clerk, db):
    service = next(s for s in services(db) if "enterprise" in s.applicant_kinds)
    return {"response": client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-14", "applicant": ENTERPRISE,
        "materials": [], "agent": "clerk-st-14"})}


@then("申请被受理")
def filed(seen):
    assert seen["response"].status_code == 201
