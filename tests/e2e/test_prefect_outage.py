"""A decision taken while the Prefect server does not answer is recorded at once and reaches
the waiting run when the server answers again — once."""

import os
import signal
import subprocess
import time

import pytest

from tests.e2e.conftest import case_when_finished, next_open_item

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-07-06"}


def prefect_server_pid(stack) -> int:
    port = stack["env"]["GOVFLOW_PREFECT_PORT"]
    found = subprocess.run(["pgrep", "-f", f"prefect server start .*--port {port}"],
                           capture_output=True, text=True).stdout.split()
    assert found, "no Prefect server process"
    return int(found[0])


def test_a_decision_survives_a_frozen_prefect_server(stack, http, as_user):
    clerk, officer = as_user("clerk-st-10"), as_user("officer-civil-affairs")
    service = http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"][0]
    case = http.post("/api/v1/cases", headers=clerk, json={
        "service": service["code"], "station": "st-10", "subject": "停机测试"}).json()
    item = next_open_item(http, officer, "department:civil-affairs", case["id"])

    server = prefect_server_pid(stack)
    os.kill(server, signal.SIGSTOP)  # the server neither answers nor dies
    try:
        started = time.perf_counter()
        decided = http.post(f"/api/v1/work-items/{item['id']}/decision", headers=officer,
                            json={"outcome": "approve"})
        answered_in = time.perf_counter() - started
        assert decided.status_code == 200 and decided.json()["status"] == "completed"
        assert answered_in < 2  # the API never waits for Prefect
        time.sleep(12)  # long enough for the relay to fail at least once
        waiting = http.get(f"/api/v1/cases/{case['id']}", headers=clerk).json()
        assert waiting["status"] == "in_progress"
    finally:
        os.kill(server, signal.SIGCONT)

    assert case_when_finished(http, clerk, case["id"])["status"] == "approved"
    finished = http.get("/api/v1/audit", headers=as_user("auditor"), params={
        "subject_type": "case", "subject_id": str(case["id"]), "action": "case.approved"})
    assert len(finished.json()) == 1
