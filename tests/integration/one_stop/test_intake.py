"""One-stop intake through the API (HC-11c, HC-11e, HC-12): receipt numbers, the single notice,
容缺受理, on-the-spot decisions, supplements, Idempotency-Key."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from services.one_stop.models import Notice
from services.platform import audit
from services.platform.db import models
from tests.conftest import SYSTEM

ID = "11010519491231002X"
PERSON = {"kind": "person", "name": "王小明", "id_number": ID, "phone": "13812345678"}
ENTERPRISE = {"kind": "enterprise", "name": "厦门某科技有限公司",
              "credit_code": "91350100M000100Y43", "phone": "13912345678"}


def services(db, **where) -> list[models.Service]:
    with db.reading() as uow:
        stmt = select(models.Service).order_by(models.Service.code)
        for name, value in where.items():
            stmt = stmt.where(getattr(models.Service, name) == value)
        return [s for s in uow.session.scalars(stmt) if "person" in s.applicant_kinds]


def codes(service: models.Service, **where) -> list[str]:
    return [m["code"] for m in service.materials
            if all(m[k] == v for k, v in where.items())]


def submit(client, headers, service, materials, **extra):
    return client.post("/api/v1/applications", headers=headers, json={
        "service": service.code, "station": "st-12", "applicant": PERSON,
        "materials": materials, **extra})


@pytest.fixture(scope="module")
def clerk(login):
    return login("clerk-st-12")


def test_one_notice_lists_every_missing_material_at_once(client, db, clerk):
    service = next(s for s in services(db, on_the_spot=False) if len(s.materials) >= 3)
    required = codes(service)
    answer = submit(client, clerk, service, required[:1])
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert re.fullmatch(r"st-12-\d{8}-\d{4}", body["receipt_no"])
    assert body["status"] == "awaiting_materials"
    assert body["notice"] == body["missing"] == required[1:]
    notice = client.get(f"/api/v1/applications/{body['id']}/documents/notice", headers=clerk)
    names = {m["code"]: m["name_zh"] for m in service.materials}
    assert all(names[c] in notice.text for c in required[1:])
    assert "一次性" in notice.text


def test_a_supplement_never_brings_a_second_notice(client, db, clerk):
    service = next(s for s in services(db, on_the_spot=False) if len(s.materials) >= 3)
    required = codes(service)
    first = submit(client, clerk, service, []).json()
    partly = client.post(f"/api/v1/applications/{first['id']}/materials", headers=clerk,
                         json={"materials": required[:1]}).json()
    assert partly["status"] == "awaiting_materials"
    assert partly["notice"] == required and partly["missing"] == required[1:]
    done = client.post(f"/api/v1/applications/{first['id']}/materials", headers=clerk,
                       json={"materials": required[1:]}).json()
    assert done["status"] == "in_progress" and done["missing"] == []
    with db.reading() as uow:
        notices = uow.session.scalars(select(Notice).where(
            Notice.case_id == first["id"])).all()
    assert len(notices) == 1


def test_an_on_the_spot_service_is_decided_at_the_counter(client, db, clerk):
    service = services(db, on_the_spot=True)[0]
    body = submit(client, clerk, service, codes(service)).json()
    assert (body["status"], body["decided_on_the_spot"], body["notice"]) == (
        "approved", True, None)
    certificate = client.get(f"/api/v1/applications/{body['id']}/documents/certificate",
                             headers=clerk)
    assert certificate.status_code == 200
    assert body["receipt_no"] in certificate.text and "马上办" in certificate.text
    assert ID not in certificate.text and "1101**********002X" in certificate.text


def test_minor_materials_may_follow_on_a_written_promise(client, db, clerk):
    service = next(s for s in services(db, on_the_spot=False)
                   if codes(s, deferrable=True) and codes(s, deferrable=False))
    minor = codes(service, deferrable=True)[0]
    rest = [c for c in codes(service) if c != minor]
    body = submit(client, clerk, service, rest, deferrals=[
        {"material": minor, "promised_by": "2026-12-31"}]).json()
    assert body["status"] == "in_progress" and body["notice"] is None
    assert body["deferred"] == [{"material": minor, "promised_by": "2026-12-31"}]


@pytest.mark.parametrize("on_the_spot, complete", [(False, False), (False, True), (True, True)])
def test_the_answer_to_a_submission_is_what_reading_it_back_shows(client, db, clerk,
                                                                  on_the_spot, complete):
    service = next(s for s in services(db, on_the_spot=on_the_spot) if s.materials)
    answer = submit(client, clerk, service, codes(service) if complete else [])
    assert answer.status_code == 201, answer.text
    read = client.get(f"/api/v1/applications/{answer.json()['id']}", headers=clerk)
    assert answer.json() == read.json()


def test_a_major_material_cannot_be_deferred(client, db, clerk):
    service = next(s for s in services(db, on_the_spot=False) if codes(s, deferrable=False))
    major = codes(service, deferrable=False)[0]
    answer = submit(client, clerk, service, [], deferrals=[
        {"material": major, "promised_by": "2026-12-31"}])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "deferrals"


def test_a_retry_with_the_same_key_gets_the_original_answer(client, db, clerk):
    service = services(db, on_the_spot=False)[0]
    key = {"Idempotency-Key": "counter-7-20261124-0001"}
    first = submit(client, clerk | key, service, [])
    again = submit(client, clerk | key, service, [])
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["receipt_no"] == first.json()["receipt_no"]
    other = submit(client, clerk | key, service, codes(service))
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_retry_while_the_first_is_still_in_flight_gets_409(client, db, clerk):
    service = services(db, on_the_spot=False)[0]
    key = {"Idempotency-Key": "counter-7-20261124-0002"}
    with db.writing() as holder, ThreadPoolExecutor(1) as pool:
        # An audited write left open holds the audit chain, so the first request waits in it.
        audit.record(holder.session, SYSTEM, action="test.hold", subject_type="test",
                     subject_id=1)
        first = pool.submit(submit, client, clerk | key, service, [])
        time.sleep(0.5)
        assert not first.done()
        early = submit(client, clerk | key, service, [])
        assert early.status_code == 409
        assert early.json()["errors"][0]["field"] == "Idempotency-Key"
        holder.session.rollback()
        answered = first.result(timeout=30)
    later = submit(client, clerk | key, service, [])
    assert (answered.status_code, later.status_code) == (201, 201)
    assert later.json()["receipt_no"] == answered.json()["receipt_no"]


def test_receipt_numbers_follow_each_other_at_a_station(client, db, clerk):
    service = services(db, on_the_spot=False)[0]
    numbers = [submit(client, clerk, service, []).json()["receipt_no"] for _ in range(3)]
    sequence = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert sequence == [sequence[0], sequence[0] + 1, sequence[0] + 2]


def test_an_invalid_id_number_is_refused_naming_the_field(client, db, clerk):
    service = services(db)[0]
    answer = client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-12",
        "applicant": PERSON | {"id_number": ID[:17] + "5"}, "materials": []})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "applicant.person.id_number"
    assert ID[:17] + "5" not in answer.text


def test_a_specialist_files_for_an_enterprise_only(client, db, clerk):
    service = next(s for s in (services(db) + []) if "enterprise" in s.applicant_kinds)
    as_person = client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-12", "applicant": PERSON,
        "materials": [], "agent": "clerk-st-12"})
    assert as_person.status_code == 422
    for_enterprise = client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-12", "applicant": ENTERPRISE,
        "materials": [], "agent": "clerk-st-12"})
    assert for_enterprise.status_code == 201, for_enterprise.text


def test_another_stations_clerk_can_neither_file_nor_read(client, db, clerk, login):
    service = services(db)[0]
    mine = submit(client, clerk, service, []).json()
    other = login("clerk-st-13")
    assert submit(client, other, service, []).status_code == 403
    assert client.get(f"/api/v1/applications/{mine['id']}", headers=other).status_code == 404
    masked = client.get(f"/api/v1/applications/{mine['id']}", headers=login("auditor")).json()
    assert masked["applicant"]["id_number"] == "1101**********002X"


def finished_application(client, db, clerk, no_meeting: bool | None = None):
    service = next(s for s in services(db, on_the_spot=True)
                   if no_meeting is None or s.no_meeting == no_meeting)
    return submit(client, clerk, service, codes(service)).json()


def test_a_no_meeting_case_breaks_its_promise_with_any_visit(client, db, clerk):
    done = finished_application(client, db, clerk, no_meeting=True)
    visit = client.post(f"/api/v1/applications/{done['id']}/visits", headers=clerk,
                        json={"purpose": "取证"}).json()
    assert visit == {"visits": 1, "allowed": 0, "within_promise": False}


def test_a_second_visit_breaks_the_at_most_one_visit_promise(client, db, clerk):
    done = finished_application(client, db, clerk, no_meeting=False)
    url = f"/api/v1/applications/{done['id']}/visits"
    assert client.post(url, headers=clerk, json={"purpose": "递交"}).json()["within_promise"]
    again = client.post(url, headers=clerk, json={"purpose": "再来一次"}).json()
    assert (again["visits"], again["within_promise"]) == (2, False)


def test_a_case_is_rated_once_and_a_bad_rating_opens_rectification(client, db, clerk, login):
    done = finished_application(client, db, clerk)
    url = f"/api/v1/applications/{done['id']}/rating"
    rated = client.post(url, headers=clerk, json={"grade": 1, "comment": "等待时间太长"})
    assert rated.status_code == 201, rated.text
    assert rated.json()["grade_zh"] == "非常不满意"
    assert client.post(url, headers=clerk, json={"grade": 5}).status_code == 409
    rectify = client.get(f"/api/v1/work-items/{rated.json()['rectification_item']}",
                         headers=login("admin")).json()
    with db.reading() as uow:
        department = uow.session.get(models.Service, done["service"]).department_code
    assert rectify["candidate_group"] == f"department:{department}"
    assert rectify["form"] == "rectification" and rectify["due_on"] is not None
    call_back = client.get(f"/api/v1/work-items/{rated.json()['call_back_item']}",
                           headers=clerk).json()
    assert call_back["candidate_group"] == "station:st-12"


def test_a_case_in_progress_cannot_be_rated(client, db, clerk):
    service = services(db, on_the_spot=False)[0]
    waiting = submit(client, clerk, service, []).json()
    response = client.post(f"/api/v1/applications/{waiting['id']}/rating", headers=clerk,
                           json={"grade": 5})
    assert response.status_code == 409


def test_the_dashboard_reports_visits_and_satisfaction_per_station(client, db, clerk, login):
    finished_application(client, db, clerk)
    board = client.get("/api/v1/dashboard/one-stop", headers=login("auditor")).json()
    mine = next(r for r in board["by_station"] if r["key"] == "st-12")
    assert mine["received"] >= 1 and mine["decided_on_the_spot"] >= 1
    assert 0 <= mine["share_at_most_one_visit"] <= 1
    assert client.get("/api/v1/dashboard/one-stop", headers=clerk).status_code == 403


def test_a_clerk_lists_only_the_applications_of_the_station(client, db, clerk):
    mine = client.get("/api/v1/applications", headers=clerk, params={"limit": 200}).json()
    assert mine and {a["station"] for a in mine} == {"st-12"}
