"""The approval process through the HTTP API on a real Prefect server and worker: a department
returns an application for correction (the clock stops), the station supplies it (the clock
restarts), two decisions race (one wins), and the case ends with the department's decision."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.applicants import PASSWORD as APPLICANT_PASSWORD
from tests.applicants import citizen_id
from tests.e2e.conftest import (
    case_when_finished,
    child_pid,
    kill_and_wait_for_restart,
    next_open_item,
    run_deployment,
    runs_of,
    wait_for,
)

pytestmark = pytest.mark.e2e
# Thursday 12 February 2026: the Spring Festival holiday runs 15–23 February.
STACK_ENV = {"GOVFLOW_TODAY": "2026-02-12"}


def a_civil_affairs_service(http) -> dict:
    services = http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
    return services[0]


def test_return_correct_and_decide_through_the_api(http, as_user, stack):
    clerk, officer = as_user("clerk-st-05"), as_user("officer-civil-affairs")
    service = a_civil_affairs_service(http)
    case = http.post("/api/v1/cases", headers=clerk, json={
        "service": service["code"], "station": "st-05", "subject": "王某某 申请"}).json()
    promised = service["guide"]["promised_working_days"]
    expected_due = http.get("/api/v1/calendar/due-date", params={
        "start": "2026-02-12", "working_days": promised}).json()["due"]
    assert case["due_on"] == expected_due and case["process_version"] == 1

    review = next_open_item(http, officer, "department:civil-affairs")
    assert (review["case_id"], review["due_on"]) == (case["id"], expected_due)
    refused = http.post(f"/api/v1/work-items/{review['id']}/decision", headers=officer,
                        json={"outcome": "reject"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reasons"
    returned = http.post(f"/api/v1/work-items/{review['id']}/decision", headers=officer,
                         json={"outcome": "return", "corrections": ["户口簿复印件"]})
    assert returned.status_code == 200, returned.text
    stopped = http.get(f"/api/v1/cases/{case['id']}", headers=clerk).json()
    assert stopped["clock_suspended_on"] == "2026-02-12"

    fix = next_open_item(http, clerk, "station:st-05")
    assert fix["title"] == "补正材料：户口簿复印件" and fix["due_on"] is None
    supplied = http.post(f"/api/v1/work-items/{fix['id']}/decision", headers=clerk,
                         json={"supplied": ["户口簿复印件"]})
    assert supplied.status_code == 200, supplied.text

    second = next_open_item(http, officer, "department:civil-affairs")
    assert second["id"] != review["id"] and second["title"].endswith("第2次")
    answers = race_two_decisions(http, officer, second["id"])
    assert sorted(answers) == [200, 409]

    finished = case_when_finished(http, clerk, case["id"])
    assert finished["status"] == "approved"
    assert finished["clock_suspended_on"] is None and finished["due_on"] == expected_due
    assert decisions_in_audit(http, as_user("auditor"), second["id"]) == 1


def race_two_decisions(http, headers, item_id: int) -> list[int]:
    version = http.get(f"/api/v1/work-items/{item_id}", headers=headers).headers["ETag"]

    def decide(_):
        return http.post(f"/api/v1/work-items/{item_id}/decision",
                         headers=headers | {"If-Match": version},
                         json={"outcome": "approve"}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(decide, range(2)))


def decisions_in_audit(http, auditor, item_id: int) -> int:
    events = http.get("/api/v1/audit", headers=auditor, params={
        "subject_type": "work_item", "subject_id": str(item_id),
        "action": "work_item.decide"}).json()
    return len(events)


def test_a_late_case_escalates_once_per_level_through_the_scheduled_sweep(http, as_user,
                                                                         stack):
    clerk, officer = as_user("clerk-st-06"), as_user("officer-civil-affairs")
    service = a_civil_affairs_service(http)
    case = http.post("/api/v1/cases", headers=clerk, json={
        "service": service["code"], "station": "st-06", "subject": "李某某 申请"}).json()
    next_open_item(http, officer, "department:civil-affairs")
    three_days_late = http.get("/api/v1/calendar/due-date", params={
        "start": case["due_on"], "working_days": 3}).json()["due"]
    for _ in range(2):  # the second sweep of the same day must change nothing
        state = run_deployment(stack["prefect"], "deadline-sweep/every-10-minutes",
                               {"as_of": three_days_late})
        assert state["type"] == "COMPLETED", state
    detail = http.get(f"/api/v1/cases/{case['id']}", headers=clerk).json()
    assert [(e["level"], e["notified"]) for e in detail["escalations"]] == [
        (1, "department:civil-affairs"), (2, "head:civil-affairs"), (3, "one-stop-centre")]
    events = http.get("/api/v1/audit", headers=as_user("auditor"), params={
        "action": "work_item.escalated", "subject_id": str(detail["work_items"][0]["id"])})
    assert len(events.json()) == 3


def test_incomplete_application_to_certificate(http, as_user, stack):
    """一次性告知 → 补正 → 部门审批 → 办理结果, on the real server and worker."""
    clerk, officer = as_user("clerk-st-05"), as_user("officer-civil-affairs")
    service = next(s for s in http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"] and len(s["guide"]["materials"]) >= 2)
    required = [m["code"] for m in service["guide"]["materials"]]
    filed = http.post("/api/v1/applications", headers=clerk, json={
        "service": service["code"], "station": "st-05", "materials": required[:1],
        "applicant": {"kind": "person", "name": "陈某", "id_number": "11010519491231002X",
                      "phone": "13812345678"}}).json()
    assert filed["notice"] == required[1:]
    supplied = http.post(f"/api/v1/applications/{filed['id']}/materials", headers=clerk,
                         json={"materials": required[1:]}).json()
    assert supplied["status"] == "in_progress"
    review = next_open_item(http, officer, "department:civil-affairs", filed["id"])
    decided = http.post(f"/api/v1/work-items/{review['id']}/decision", headers=officer,
                        json={"outcome": "approve"})
    assert decided.status_code == 200, decided.text
    assert case_when_finished(http, clerk, filed["id"])["status"] == "approved"
    certificate = http.get(f"/api/v1/applications/{filed['id']}/documents/certificate",
                           headers=clerk)
    assert certificate.status_code == 200 and filed["receipt_no"] in certificate.text


def test_an_online_application_to_its_certificate_without_a_visit(http, as_user, stack):
    """HC-11d: the applicant files, supplements and downloads online; the department decides
    on the real server and worker; the station the applicant chose sees the case."""
    number = citizen_id()
    assert http.post("/api/v1/auth/applicants", json={
        "name": "周某", "id_number": number, "phone": "13812345678",
        "password": APPLICANT_PASSWORD}).status_code == 201
    token = http.post("/api/v1/auth/token", data={"username": number,
                                                   "password": APPLICANT_PASSWORD}).json()
    me = {"Authorization": f"Bearer {token['access_token']}"}
    service = next(s for s in http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"] and len(s["guide"]["materials"]) >= 2)
    required = [m["code"] for m in service["guide"]["materials"]]
    filed = http.post("/api/v1/applications", headers=me, json={
        "service": service["code"], "materials": required[:1], "handling_station": "st-07",
        "applicant": {"kind": "person", "name": "周某", "id_number": number,
                      "phone": "13812345678"}}).json()
    assert filed["receipt_no"].startswith("online-") and filed["station"] == "st-07"
    http.post(f"/api/v1/applications/{filed['id']}/materials", headers=me,
              json={"materials": required[1:]})
    officer = as_user("officer-civil-affairs")
    review = next_open_item(http, officer, "department:civil-affairs", filed["id"])
    assert http.post(f"/api/v1/work-items/{review['id']}/decision", headers=officer,
                     json={"outcome": "approve"}).status_code == 200
    assert case_when_finished(http, as_user("clerk-st-07"), filed["id"])["status"] == "approved"
    mine = http.get(f"/api/v1/applications/{filed['id']}", headers=me).json()
    assert (mine["status"], mine["visits"]) == ("approved", 0)
    certificate = http.get(f"/api/v1/applications/{filed['id']}/documents/certificate",
                           headers=me)
    assert certificate.status_code == 200 and filed["receipt_no"] in certificate.text


def test_killing_the_worker_loses_no_waiting_case(http, as_user, stack):
    clerk, officer = as_user("clerk-st-05"), as_user("officer-civil-affairs")
    service = a_civil_affairs_service(http)
    waiting = [http.post("/api/v1/cases", headers=clerk, json={
        "service": service["code"], "station": "st-05", "subject": f"重启测试{n}"}).json()
        for n in range(3)]
    items = [next_open_item(http, officer, "department:civil-affairs", c["id"])
             for c in waiting]
    # Waiting: suspended for the decision (a run killed mid-step is the reconciler's, see
    # test_faults.py).
    wait_for(lambda: len(runs_of(stack, [c["id"] for c in waiting], ("PAUSED",))) == 3,
             "the runs to wait for decisions", timeout=60)
    worker = child_pid(stack, "flows.worker")
    restarted = kill_and_wait_for_restart(stack, "flows.worker")
    assert restarted != worker
    for item in items:
        decided = http.post(f"/api/v1/work-items/{item['id']}/decision", headers=officer,
                            json={"outcome": "approve"})
        assert decided.status_code == 200, decided.text
    for case in waiting:
        assert case_when_finished(http, clerk, case["id"])["status"] == "approved"


def test_an_on_the_spot_application_and_a_reasoned_rejection(http, as_user, stack):
    clerk, officer = as_user("clerk-st-05"), as_user("officer-civil-affairs")
    applicant = {"kind": "person", "name": "林某", "id_number": "11010519491231002X",
                 "phone": "13812345678"}
    spot = next(s for s in http.get("/api/v1/catalogue/services", params={
        "on_the_spot": "true", "limit": 200}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"])
    decided = http.post("/api/v1/applications", headers=clerk, json={
        "service": spot["code"], "station": "st-05", "applicant": applicant,
        "materials": [m["code"] for m in spot["guide"]["materials"]]}).json()
    assert decided["status"] == "approved"
    certificate = http.get(f"/api/v1/applications/{decided['id']}/documents/certificate",
                           headers=clerk)
    assert certificate.status_code == 200

    service = next(s for s in http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"])
    filed = http.post("/api/v1/applications", headers=clerk, json={
        "service": service["code"], "station": "st-05", "applicant": applicant,
        "materials": [m["code"] for m in service["guide"]["materials"]]}).json()
    review = next_open_item(http, officer, "department:civil-affairs", filed["id"])
    assert http.get(f"/api/v1/applications/{filed['id']}", headers=clerk
                    ).json()["current_work_item"] == review["id"]
    http.post(f"/api/v1/work-items/{review['id']}/decision", headers=officer,
              json={"outcome": "reject", "reasons": "申请人不符合户籍条件"})
    assert case_when_finished(http, clerk, filed["id"])["status"] == "rejected"
    notice = http.get(f"/api/v1/applications/{filed['id']}/documents/rejection", headers=clerk)
    assert notice.status_code == 200 and "申请人不符合户籍条件" in notice.text
    timeline = http.get(f"/api/v1/applications/{filed['id']}", headers=clerk).json()["timeline"]
    assert [t["action"] for t in timeline][:2] == ["application.received",
                                                  "application.accepted"]
    assert timeline[-1]["action"] == "case.rejected"
