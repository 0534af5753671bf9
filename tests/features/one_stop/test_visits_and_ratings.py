"""Steps of the visits, no-meeting and rating features (HC-11b, HC-14a, HC-03, HC-11a)."""

from datetime import date

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from policies.access import Actor, Role
from services.one_stop import applications
from services.one_stop.applications import ApplicationCreate
from services.one_stop.models import Visit
from services.platform import clock
from services.platform.db import models
from services.platform.reference_data import read_calendar
from services.platform.settings import Settings
from services.work import cases, work_items
from services.work.work_items import WorkItemSpec
from tests.integration.one_stop.test_intake import ENTERPRISE, PERSON, codes, services

scenarios("one_stop/visits_and_ratings.feature")

calendar = read_calendar()


@pytest.fixture
def clerk(login):
    return login("clerk-st-15")


@when("每个服务站分别受理每一项下放服务", target_fixture="refusals")
def every_service_everywhere(db):
    """All 43 × 91 complete applications through the intake use case the API calls, each by
    the station's own clerk."""
    with db.reading() as uow:
        stations = uow.session.scalars(select(models.Station.code)).all()
        all_services = uow.session.scalars(select(models.Service).where(
            models.Service.delegated.is_(True))).all()
    assert (len(stations), len(all_services)) == (43, 91)
    refusals = []
    for station in stations:
        clerk = Actor(username=f"clerk-{station}", role=Role.CLERK, station=station)
        for service in all_services:
            applicant = PERSON if "person" in service.applicant_kinds else ENTERPRISE
            data = ApplicationCreate(service=service.code, station=station,
                                     applicant=applicant, materials=codes(service))
            answer = applications.submit(db, calendar, clerk, data, date(2026, 8, 3))
            if answer.status not in ("approved", "in_progress"):
                refusals.append((station, service.code, answer.status))
    return refusals


@then("没有一项申请因服务站或服务而被拒绝受理")
def none_refused(refusals):
    assert refusals == []


@when("一项不见面服务的申请在网上材料齐全后办结", target_fixture="seen")
def no_meeting_done(client, db, clerk):
    service = next(s for s in services(db, on_the_spot=True) if s.no_meeting)
    body = client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-15", "applicant": PERSON,
        "materials": codes(service)}).json()
    return {"application": body}


@then("这件事项的现场次数为0，符合不见面承诺")
def zero_visits(db, seen):
    assert seen["application"]["status"] == "approved"
    with db.reading() as uow:
        assert uow.session.scalars(select(Visit).where(
            Visit.case_id == seen["application"]["id"])).all() == []


@given("一项不见面服务的申请已经办结", target_fixture="seen")
def no_meeting_finished(client, db, clerk):
    return no_meeting_done(client, db, clerk)


@when("服务站记录了一次现场办理")
def a_visit(client, clerk, seen):
    seen["visit"] = client.post(f"/api/v1/applications/{seen['application']['id']}/visits",
                                headers=clerk, json={"purpose": "现场核验"}).json()


@then("这次记录标明未守不见面承诺")
def broken_promise(seen):
    assert seen["visit"]["within_promise"] is False and seen["visit"]["allowed"] == 0


@given("一件事项已经办结", target_fixture="seen")
def finished(client, db, clerk):
    service = services(db, on_the_spot=True)[0]
    return {"application": client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-15", "applicant": PERSON,
        "materials": codes(service)}).json()}


GRADES = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}


@given(parsers.parse('一件事项已经办结，申请人评价为"{grade}"'), target_fixture="seen")
def rated(client, db, clerk, grade):
    seen = finished(client, db, clerk)
    rate(client, clerk, seen, grade)
    return seen


@when(parsers.parse('申请人评价为"{grade}"'))
def rate(client, clerk, seen, grade):
    seen["rating"] = client.post(f"/api/v1/applications/{seen['application']['id']}/rating",
                                 headers=clerk, json={"grade": GRADES[grade]})


@when("再次提交评价")
def rate_again(client, clerk, seen):
    rate(client, clerk, seen, "非常满意")


@then("第二次评价不被接受")
def refused_twice(seen):
    assert seen["rating"].status_code == 409


@then("责任部门收到15个工作日内完成的整改待办")
def rectification(client, login, seen):
    item = client.get(f"/api/v1/work-items/{seen['rating'].json()['rectification_item']}",
                      headers=login("admin")).json()
    today = clock.today(Settings())
    assert item["form"] == "rectification"
    assert item["due_on"] == calendar.add_working_days(today, 15).isoformat()


@then("受理服务站收到回访待办")
def call_back(client, clerk, seen):
    item = client.get(f"/api/v1/work-items/{seen['rating'].json()['call_back_item']}",
                      headers=clerk).json()
    assert (item["form"], item["candidate_group"]) == ("call-back", "station:st-15")


@given("一件事项等待民政部门审批", target_fixture="seen")
def waiting(db):
    station_clerk = Actor(username="clerk-st-15", role=Role.CLERK, station="st-15")
    service = next(s for s in services(db, on_the_spot=False)
                   if s.department_code == "civil-affairs")
    case = cases.start_case(db, calendar, station_clerk, cases.CaseCreate(
        service=service.code, station="st-15", subject="越权测试"), date(2026, 8, 3))
    return {"item": work_items.open_item(db, WorkItemSpec(
        case_id=case.id, step="department-review", title="审批", form="approval",
        candidate_group="department:civil-affairs"))}


@when("卫健部门的审批人员对它作出决定")
def other_department_decides(client, login, seen):
    seen["response"] = client.post(f"/api/v1/work-items/{seen['item'].id}/decision",
                                   headers=login("officer-health"), json={"outcome": "approve"})


@then("系统回答没有这件待办")
def not_found(seen):
    assert seen["response"].status_code == 404
