"""A designer publishes a new version of a process while cases wait: new cases take it, waiting
cases keep theirs, and a migration lists what would change before it moves anyone."""

import httpx
import pytest

from tests.e2e.conftest import case_when_finished, govflow, next_open_item

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-03-16"}
DEPT = "department:civil-affairs"


def start(http, clerk, subject: str) -> dict:
    services = http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
    response = http.post("/api/v1/cases", headers=clerk, json={
        "service": services[0]["code"], "station": "st-07", "subject": subject})
    assert response.status_code == 201, response.text
    return response.json()


def approve(http, officer, case_id: int) -> dict:
    item = next_open_item(http, officer, DEPT, case_id)
    response = http.post(f"/api/v1/work-items/{item['id']}/decision", headers=officer,
                         json={"outcome": "approve"})
    assert response.status_code == 200, response.text
    return item


def confirm_delivery(http, clerk, case_id: int) -> None:
    item = next_open_item(http, clerk, "station:st-07", case_id)
    assert item["step"] == "delivery"
    response = http.post(f"/api/v1/work-items/{item['id']}/decision", headers=clerk,
                         json={"method": "counter"})
    assert response.status_code == 200, response.text


def test_a_new_version_applies_to_new_cases_and_a_migration_moves_old_ones(
        stack, http: httpx.Client, as_user):
    clerk, officer = as_user("clerk-st-07"), as_user("officer-civil-affairs")
    kept, moved = start(http, clerk, "留在第1版"), start(http, clerk, "迁移到第2版")
    for case in (kept, moved):
        next_open_item(http, officer, DEPT, case["id"])  # both wait for the department

    published = govflow(stack, "processes", "publish", "approval", "2")
    assert published.returncode == 0, published.stderr
    new = start(http, clerk, "新案件")
    assert (kept["process_version"], new["process_version"]) == (1, 2)

    listed = govflow(stack, "processes", "migrate", "approval", "--to", "2")
    assert listed.returncode == 0, listed.stderr
    assert f"{moved['id']}" in listed.stdout and "delivery" in listed.stdout
    assert "2 case(s) would move to v2" in listed.stdout
    old_run = http.get(f"/api/v1/cases/{moved['id']}", headers=clerk).json()["flow_run_id"]

    approve(http, officer, kept["id"])
    assert case_when_finished(http, clerk, kept["id"])["status"] == "approved"

    applied = govflow(stack, "processes", "migrate", "approval", "--to", "2", "--apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"moved 1 of 1 case(s) to v2: [{moved['id']}]" in applied.stdout
    state = httpx.get(f"{stack['prefect']}/flow_runs/{old_run}").json()["state"]["type"]
    assert state == "CANCELLED"

    for case in (moved, new):
        approve(http, officer, case["id"])
        confirm_delivery(http, clerk, case["id"])
        finished = case_when_finished(http, clerk, case["id"])
        assert (finished["status"], finished["process_version"]) == ("approved", 2)
    kept_items = http.get(f"/api/v1/cases/{kept['id']}", headers=clerk).json()["work_items"]
    assert [i["step"] for i in kept_items] == ["department-review"]
