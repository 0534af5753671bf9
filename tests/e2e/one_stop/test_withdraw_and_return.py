"""撤回 and 退回 on a real Prefect server and worker: the case goes back to an earlier step,
its run is replaced by one that replays what stands, and it waits there again."""

import pytest

from tests.e2e.conftest import case_when_finished, govflow, next_open_item

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-04-20"}
DEPT, STATION = "department:civil-affairs", "station:st-08"


def test_an_officer_withdraws_an_approval_and_a_station_returns_it(stack, http, as_user):
    assert govflow(stack, "processes", "publish", "approval", "2").returncode == 0
    clerk, officer = as_user("clerk-st-08"), as_user("officer-civil-affairs")
    service = http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"][0]
    case = http.post("/api/v1/cases", headers=clerk, json={
        "service": service["code"], "station": "st-08", "subject": "撤回与退回"}).json()

    review = next_open_item(http, officer, DEPT, case["id"])
    decide(http, officer, review["id"], {"outcome": "approve"})
    delivery = next_open_item(http, clerk, STATION, case["id"])
    withdrawn = http.post(f"/api/v1/work-items/{review['id']}/withdraw", headers=officer)
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["decision"]) == ("claimed", None)
    assert item(http, clerk, delivery["id"])["status"] == "withdrawn"
    assert decide(http, clerk, delivery["id"], {"method": "counter"}).status_code == 409

    decide(http, officer, review["id"], {"outcome": "approve"})  # the same item, again
    second = next_open_item(http, clerk, STATION, case["id"])
    assert second["id"] != delivery["id"] and second["step"] == "delivery"
    no_reason = http.post(f"/api/v1/work-items/{second['id']}/return", headers=clerk,
                          json={"to_step": "department-review", "reasons": ""})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reasons"
    returned = http.post(f"/api/v1/work-items/{second['id']}/return", headers=clerk, json={
        "to_step": "department-review", "reasons": "证照上的姓名有误"})
    assert returned.status_code == 200, returned.text

    reopened = next_open_item(http, officer, DEPT, case["id"])
    assert reopened["id"] == review["id"]
    decide(http, officer, review["id"], {"outcome": "approve"})
    decide(http, clerk, next_open_item(http, clerk, STATION, case["id"])["id"],
           {"method": "counter"})
    assert case_when_finished(http, clerk, case["id"])["status"] == "approved"
    history = http.get(f"/api/v1/work-items/{review['id']}/history", headers=officer).json()
    assert [h["action"] for h in history] == [
        "work_item.opened", "work_item.decide", "work_item.withdraw", "work_item.decide",
        "work_item.reopened", "work_item.decide"]
    assert history[4]["note"] == "证照上的姓名有误"


def decide(http, headers, item_id: int, decision: dict):
    response = http.post(f"/api/v1/work-items/{item_id}/decision", headers=headers,
                         json=decision)
    assert response.status_code in (200, 409), response.text
    return response


def item(http, headers, item_id: int) -> dict:
    return http.get(f"/api/v1/work-items/{item_id}", headers=headers).json()
