"""Parallel project approval (HC-14b) through the HTTP API on a real Prefect server and worker."""

import random
import threading

import pytest

from tests.e2e.conftest import run_deployment, wait_for

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-06-01"}  # a Monday
CREDIT_CODE = "91350100M000100Y43"  # the worked example of GB 32100-2015
PARALLEL = ["natural-resources-planning", "ecology-environment", "housing-construction",
            "water", "civil-air-defence"]


def file_project(http, clerk, name: str) -> dict:
    response = http.post("/api/v1/projects", headers=clerk, json={
        "enterprise": "厦门士兰明镓化合物半导体有限公司", "credit_code": CREDIT_CODE,
        "project": name, "land_contract_no": "XM2026-HC-0615", "station": "st-01",
        "agent": "clerk-st-01"})
    assert response.status_code == 201, response.text
    return response.json()


def project(http, headers, project_id: int) -> dict:
    return http.get(f"/api/v1/projects/{project_id}", headers=headers).json()


def approvals_open(http, headers, project_id: int, codes: list[str]) -> dict[str, dict]:
    def ready():
        found = {a["code"]: a for a in project(http, headers, project_id)["approvals"]}
        return found if all(found[c]["status"] == "open" for c in codes) else None

    return wait_for(ready, f"approvals {codes} to open", timeout=90)


def decide(http, headers, item_id: int, decision: dict) -> None:
    response = http.post(f"/api/v1/work-items/{item_id}/decision", headers=headers,
                         json=decision)
    assert response.status_code == 200, response.text


def test_an_invalid_credit_code_is_refused_naming_the_field(http, as_user):
    response = http.post("/api/v1/projects", headers=as_user("clerk-st-01"), json={
        "enterprise": "某公司", "credit_code": CREDIT_CODE[:17] + "4", "project": "厂房",
        "land_contract_no": "XM-0001", "station": "st-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "credit_code"


def test_five_departments_in_any_order_then_the_permit(stack, http, as_user):
    clerk = as_user("clerk-st-01")
    filed = file_project(http, clerk, "化合物半导体生产线")
    assert filed["commitment_due_on"] == "2026-06-08"
    items = approvals_open(http, clerk, filed["id"], [
        "planning-permit", "environmental-assessment", "fire-design-review",
        "soil-conservation", "civil-air-defence"])
    assert project(http, clerk, filed["id"])["approvals"][-1]["status"] == "not-open"
    by_department = {a["department"]: a["work_item_id"] for a in items.values()
                     if a["status"] == "open"}

    water = as_user("officer-water")
    decide(http, water, by_department["water"], {
        "outcome": "return", "corrections": ["水土保持方案（修订稿）"]})
    correction = wait_for(lambda: [i for i in http.get(
        "/api/v1/work-items", headers=clerk, params={"status": "open"}).json()
        if i["case_id"] == filed["id"] and i["step"] == "correction"], "the correction")[0]
    assert "水土保持方案（修订稿）" in correction["title"]
    paused = project(http, clerk, filed["id"])
    assert {a["code"]: a["status"] for a in paused["approvals"]}["soil-conservation"] == \
        "waiting-for-correction"

    order = PARALLEL.copy()
    random.Random(14).shuffle(order)
    order.remove("water")
    for department in order[:2]:
        decide(http, as_user(f"officer-{department}"), by_department[department],
               {"outcome": "approve"})
    decide(http, clerk, correction["id"], {"supplied": ["水土保持方案（修订稿）"]})
    decide(http, water, by_department["water"], {"outcome": "approve"})
    same_instant = [threading.Thread(target=decide, args=(
        http, as_user(f"officer-{d}"), by_department[d], {"outcome": "approve"}))
        for d in order[2:]]
    for t in same_instant:
        t.start()
    for t in same_instant:
        t.join()

    permit_item = approvals_open(http, clerk, filed["id"], ["construction-permit"])
    decide(http, as_user("officer-housing-construction"),
           permit_item["construction-permit"]["work_item_id"], {"outcome": "approve"})
    done = wait_for(lambda: (p := project(http, clerk, filed["id"]))["status"] != "in_progress"
                    and p, "the permit", timeout=90)
    assert done["status"] == "approved"
    assert done["elapsed_working_days"] <= done["commitment_working_days"] == 5
    permit = http.get(f"/api/v1/projects/{filed['id']}/permit", headers=clerk)
    assert permit.status_code == 200 and "化合物半导体生产线" in permit.text
    assert "施许2026-" in permit.text and "验证码" in permit.text

    auditor = as_user("auditor")
    for approval in done["approvals"]:
        events = http.get("/api/v1/audit", headers=auditor, params={
            "subject_type": "work_item", "subject_id": str(approval["work_item_id"]),
            "action": "work_item.decide"}).json()
        expected = 2 if approval["code"] == "soil-conservation" else 1  # return, then approve
        assert len(events) == expected, approval["code"]


def test_a_late_department_is_escalated_once_per_level(stack, http, as_user):
    clerk = as_user("clerk-st-01")
    filed = file_project(http, clerk, "研发楼")
    items = approvals_open(http, clerk, filed["id"], ["planning-permit", "soil-conservation"])
    for code, approval in items.items():
        if code not in ("planning-permit", "construction-permit"):
            decide(http, as_user(f"officer-{approval['department']}"),
                   approval["work_item_id"], {"outcome": "approve"})
    late = items["planning-permit"]
    three_days_late = http.get("/api/v1/calendar/due-date", params={
        "start": late["due_on"], "working_days": 3}).json()["due"]
    for _ in range(2):
        state = run_deployment(stack["prefect"], "deadline-sweep/every-10-minutes",
                               {"as_of": three_days_late})
        assert state["type"] == "COMPLETED", state
    seen = project(http, clerk, filed["id"])
    assert seen["waiting_on"] == ["planning-permit"]
    assert [(e["level"], e["notified"]) for e in seen["escalations"]] == [
        (1, "department:natural-resources-planning"), (2, "head:natural-resources-planning"),
        (3, "one-stop-centre")]
    events = http.get("/api/v1/audit", headers=as_user("auditor"), params={
        "action": "work_item.escalated", "subject_id": str(late["work_item_id"])}).json()
    assert len(events) == 3
