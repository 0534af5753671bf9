"""Steps of the online feature (HC-11d, HC-11c, HC-11e, HC-14a, HC-03), through the HTTP API
as an applicant uses it: register, sign in, apply, supplement, download, rate."""

import re

from fastapi.testclient import TestClient
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select

from api.app import create_app
from services.one_stop.models import Visit
from services.platform.db import models
from services.platform.settings import Settings
from tests.applicants import PASSWORD, apply_online, citizen_id, register
from tests.integration.one_stop.test_intake import PERSON, codes, services
from tests.integration.one_stop.test_online_intake import services_for_enterprises

scenarios("one_stop/online.feature")

KINDS = {"群众": "person", "企业": "enterprise"}


def a_service(db, kind: str = "person", **where) -> models.Service:
    found = services(db, **where) if kind == "person" else services_for_enterprises(db)
    return next(s for s in found if len(s.materials) >= 2)


@given(parsers.parse("一位{who}已用{document}注册并登录"), target_fixture="seen")
def signed_in(client, who):
    return {"kind": KINDS[who], "applicant": register(client, kind=KINDS[who])}


@when("申请人在网上为自己申报一项服务，并选定一个服务站")
def apply_choosing_a_station(client, db, seen):
    service = a_service(db, seen["kind"])
    seen["answer"] = apply_online(client, seen["applicant"], service, [],
                                  handling_station="st-33").json()
    seen["chosen"] = "st-33"


@when("申请人在网上申报时没有选定服务站")
def apply_without_a_station(client, db, seen):
    seen["answer"] = apply_online(client, seen["applicant"], a_service(db), []).json()
    seen["chosen"] = "st-01"


@then("申请人拿到一个网上渠道的受理编号")
def online_receipt(seen):
    assert re.fullmatch(r"online-\d{8}-\d{4}", seen["answer"]["receipt_no"])
    assert seen["answer"]["channel"] == "online"


@then("申请由选定的服务站承担现场环节")
@then("申请由海沧街道便民服务中心承担现场环节")
def handled_by_the_station(seen):
    assert seen["answer"]["station"] == seen["chosen"]


@when("申请人在网上用别人的身份证号申报")
def apply_for_someone_else(client, db, seen):
    seen["response"] = client.post("/api/v1/applications", headers=seen["applicant"].headers,
                                   json={"service": a_service(db).code, "materials": [],
                                         "applicant": PERSON | {"id_number": citizen_id()}})


@then("申报不被接受，系统指出申请人的身份证号不是本人的")
def not_for_someone_else(seen):
    assert seen["response"].status_code == 403
    assert seen["response"].json()["errors"][0]["field"] == "applicant.id_number"


@given("一位群众在网上申报时只提交了第一份材料，收到了一次性告知书", target_fixture="seen")
def notified(client, db):
    applicant = register(client)
    service = a_service(db, on_the_spot=False)
    answer = apply_online(client, applicant, service, codes(service)[:1]).json()
    assert answer["notice"] == codes(service)[1:]
    return {"applicant": applicant, "answer": answer}


@when("申请人在网上补齐告知书所列材料")
def supply_online(client, seen):
    seen["answer"] = client.post(
        f"/api/v1/applications/{seen['answer']['id']}/materials",
        headers=seen["applicant"].headers, json={"materials": seen["answer"]["notice"]}).json()


@then("申请转入部门办理")
def with_the_department(seen):
    assert seen["answer"]["status"] == "in_progress"


@then("这件申请没有任何现场记录")
def no_visit(db, seen):
    assert seen["answer"]["visits"] == 0
    with db.reading() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Visit).where(
            Visit.case_id == seen["answer"]["id"])) == 0


@when("申请人在网上申报一项马上办服务并提交全部材料")
def apply_on_the_spot(client, db, seen):
    service = services(db, on_the_spot=True)[0]
    seen["answer"] = apply_online(client, seen["applicant"], service, codes(service)).json()


@then("申请当场办结，申请人可以在网上下载办理结果")
def downloadable(client, seen):
    assert seen["answer"]["status"] == "approved"
    seen["certificate"] = client.get(
        f"/api/v1/applications/{seen['answer']['id']}/documents/certificate",
        headers=seen["applicant"].headers)
    assert seen["certificate"].status_code == 200
    assert seen["answer"]["receipt_no"] in seen["certificate"].text


@then("办理结果上申请人的身份证号是遮挡的")
def masked_on_the_certificate(seen):
    number = seen["applicant"].number
    assert number not in seen["certificate"].text
    assert f"{number[:4]}{'*' * 10}{number[-4:]}" in seen["certificate"].text


@when("申请人在网上申报一项不见面服务并提交全部材料")
def apply_no_meeting(client, db, seen):
    service = next(s for s in services(db, on_the_spot=True) if s.no_meeting)
    seen["answer"] = apply_online(client, seen["applicant"], service, codes(service)).json()


@then("申请办结，现场次数为0，符合不见面承诺")
def zero_visits(seen):
    assert (seen["answer"]["status"], seen["answer"]["visits"]) == ("approved", 0)


@given("两位群众各自在网上申报了一件申请", target_fixture="seen")
def two_applicants(client, db):
    service = a_service(db)
    mine, theirs = register(client), register(client)
    return {"mine": mine, "own": apply_online(client, mine, service, []).json(),
            "other": apply_online(client, theirs, service, []).json()}


@when("其中一位查看自己的申请")
def list_own(client, seen):
    seen["listed"] = client.get("/api/v1/applications", headers=seen["mine"].headers).json()


@then("只看到自己申报的那一件")
def only_own(seen):
    assert [a["receipt_no"] for a in seen["listed"]] == [seen["own"]["receipt_no"]]


@when("其中一位打开另一位的申请")
def open_the_other(client, seen):
    seen["response"] = client.get(f"/api/v1/applications/{seen['other']['id']}",
                                  headers=seen["mine"].headers)


@then("系统回答没有这件申请")
def no_such_application(seen):
    assert seen["response"].status_code == 404


@given("服务站窗口为一位群众受理了一件申请", target_fixture="seen")
def filed_at_the_counter(client, db, login):
    number = citizen_id()
    answer = client.post("/api/v1/applications", headers=login("clerk-st-33"), json={
        "service": a_service(db).code, "station": "st-33",
        "applicant": PERSON | {"id_number": number}, "materials": []}).json()
    return {"number": number, "filed": answer}


@when("这位群众用本人身份证号注册登录后查看自己的申请")
def register_then_list(client, seen):
    client.post("/api/v1/auth/applicants", json={
        "name": PERSON["name"], "id_number": seen["number"], "phone": PERSON["phone"],
        "password": PASSWORD})
    token = client.post("/api/v1/auth/token", data={"username": seen["number"],
                                                     "password": PASSWORD}).json()
    seen["listed"] = client.get("/api/v1/applications", headers={
        "Authorization": f"Bearer {token['access_token']}"}).json()


@then("看到窗口受理的那一件")
def sees_the_counters(seen):
    assert [a["receipt_no"] for a in seen["listed"]] == [seen["filed"]["receipt_no"]]


@when("申请人打开待办、账号、审计记录和统计报表")
def open_staff_pages(client, seen):
    seen["answers"] = [client.get(path, headers=seen["applicant"].headers).status_code
                       for path in ("/api/v1/work-items", "/api/v1/users", "/api/v1/audit",
                                    "/api/v1/dashboard/one-stop")]


@then("每一处都不对申请人开放")
def all_closed(seen):
    assert seen["answers"] == [403, 403, 403, 403]


@given("一位群众在网上申报的马上办事项已经办结", target_fixture="seen")
def ended_online(client, db):
    seen = {"applicant": register(client)}
    apply_on_the_spot(client, db, seen)
    assert seen["answer"]["status"] == "approved"
    return seen


@when(parsers.parse('申请人在网上评价为"{grade}"'))
def rate_online(client, seen, grade):
    seen["rating"] = client.post(f"/api/v1/applications/{seen['answer']['id']}/rating",
                                 headers=seen["applicant"].headers,
                                 json={"grade": {"满意": 4}[grade]})


@then("评价被接受")
def rating_accepted(seen):
    assert seen["rating"].status_code == 201
    assert seen["rating"].json()["grade_zh"] == "满意"


@given("系统运行在正式环境", target_fixture="seen")
def production(database_url):
    return {"settings": Settings(mode="production", secret_key="p" * 40,
                                 database_url=database_url,
                                 prefect_api_url="http://127.0.0.1:9/api")}


@when("一位群众自行注册")
def self_register(seen):
    with TestClient(create_app(seen["settings"])) as app:
        seen["response"] = app.post("/api/v1/auth/applicants", json={
            "name": "郑晓东", "id_number": citizen_id(), "phone": "13800005555",
            "password": PASSWORD})


@then("注册不被接受，系统提示通过省统一身份认证平台登录")
def refused_in_production(seen):
    assert seen["response"].status_code == 403
    assert "provincial identity platform" in seen["response"].json()["detail"]
