"""The fault suite on the real stack (`govflow up`): the API, the Prefect server and the worker
die in the middle of work. Nothing acknowledged is lost and nothing is applied twice: every
case reaches its flow and its end, one receipt number each, one end and one notification per
case. Bounded here; `pytest -m long` (run by .ci/run) repeats the API kill with 500
submissions."""

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from services.platform import notifications
from services.work.models import Case, WorkItem
from tests.e2e.conftest import (
    case_when_finished,
    govflow,
    kill_and_wait_for_restart,
    kill_the_worker_mid_run,
    prefect_call,
    run_deployment,
    runs_of,
    stack_db,
    wait_for,
)

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-07-06"}
CLIENTS = 20


@pytest.fixture(scope="module")
def service(http) -> dict:
    return next(s for s in http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"])


@pytest.fixture(scope="module")
def db(stack):
    database = stack_db(stack)
    yield database
    database.dispose()


def application(service: dict, station: str, n: int) -> dict:
    return {"service": service["code"], "station": station,
            "materials": [m["code"] for m in service["guide"]["materials"]],
            "applicant": {"kind": "person", "name": f"故障测试{n}",
                          "id_number": "11010519491231002X", "phone": "13812345678"}}


def submit_until_acknowledged(client: httpx.Client, headers: dict, body: dict) -> dict:
    """A counter system's retry loop: the same Idempotency-Key until the answer comes."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    deadline = time.monotonic() + 180  # an API that never recovers fails the test
    while time.monotonic() < deadline:
        try:
            answer = client.post("/api/v1/applications", headers=headers | key, json=body)
        except httpx.HTTPError:
            answer = None  # the API is down or died mid-request
        if answer is not None and answer.status_code == 201:
            return answer.json()
        if answer is not None and answer.status_code < 500 and answer.status_code != 409:
            raise AssertionError(answer.text)
        time.sleep(0.2)
    raise AssertionError(f"no answer within 180 s; last: {answer and answer.text[:300]}")


def review_of(http, clerk: dict, case_id: int) -> int:
    """The case's open work item, once its flow has opened one (the queue's first page may
    hold other cases' items: the API kill leaves 100 waiting in the same department)."""
    return wait_for(lambda: http.get(f"/api/v1/applications/{case_id}", headers=clerk
                                     ).json()["current_work_item"], f"case {case_id}'s item", 90)


def cases_in(db) -> int:
    with db.reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(Case))


def cases_waiting_for_review(db, case_ids: list[int]) -> int:
    with db.reading() as uow:
        return uow.session.scalar(select(func.count(WorkItem.case_id.distinct())).where(
            WorkItem.case_id.in_(case_ids), WorkItem.step == "department-review"))


def notifications_of(db, case_id: int) -> int:
    """Notifications the applicant received about the case, once the relay has delivered."""
    wait_for(lambda: notifications.delivered_for(db, case_id), "the notification", 60)
    return len(notifications.delivered_for(db, case_id))


def ends_in_audit(http, auditor, case_id: int) -> int:
    return len(http.get("/api/v1/audit", headers=auditor, params={
        "subject_type": "case", "subject_id": str(case_id), "action": "case.approved"}).json())


@pytest.mark.parametrize("submissions", [100, pytest.param(500, marks=pytest.mark.long)])
def test_killing_the_api_mid_submissions_loses_and_doubles_nothing(
        stack, http, as_user, db, service, submissions):
    clerk = as_user("clerk-st-21")
    before = cases_in(db)
    answers: list[dict] = []
    lock = threading.Lock()

    def client_thread(numbers: range) -> None:
        with httpx.Client(base_url=stack["api"], timeout=30) as client:
            for n in numbers:
                answer = submit_until_acknowledged(client, clerk, application(service, "st-21", n))
                with lock:
                    answers.append(answer)

    with ThreadPoolExecutor(CLIENTS) as pool:
        share = submissions // CLIENTS
        running = [pool.submit(client_thread, range(i * share, (i + 1) * share))
                   for i in range(CLIENTS)]
        wait_for(lambda: len(answers) >= submissions // 4, "a quarter acknowledged", 120)
        kill_and_wait_for_restart(stack, "api.app:create_app")
        for future in running:
            future.result(timeout=600)

    assert len(answers) == submissions
    assert len({a["receipt_no"] for a in answers}) == submissions
    assert cases_in(db) == before + submissions
    ids = [a["id"] for a in answers]
    wait_for(lambda: cases_waiting_for_review(db, ids) == submissions,
             "every case to reach its department's review", timeout=120 + submissions)


def test_a_prefect_server_restart_during_approvals(stack, http, as_user, db, service):
    clerk, officer = as_user("clerk-st-22"), as_user("officer-civil-affairs")
    cases = [http.post("/api/v1/applications", headers=clerk,
                       json=application(service, "st-22", n)).json() for n in range(8)]
    items = [review_of(http, clerk, c["id"]) for c in cases]

    def decide(item: int) -> int:
        return http.post(f"/api/v1/work-items/{item}/decision", headers=officer,
                         json={"outcome": "approve"}).status_code

    assert [decide(i) for i in items[:4]] == [200] * 4
    kill_and_wait_for_restart(stack, "prefect server start")
    assert [decide(i) for i in items[4:]] == [200] * 4  # the API does not wait for Prefect

    auditor = as_user("auditor")
    for case in cases:
        assert case_when_finished(http, clerk, case["id"])["status"] == "approved"
        assert ends_in_audit(http, auditor, case["id"]) == 1
        assert notifications_of(db, case["id"]) == 1
        certificate = http.get(f"/api/v1/applications/{case['id']}/documents/certificate",
                               headers=clerk)
        assert certificate.status_code == 200 and case["receipt_no"] in certificate.text


def test_reconcile_redrives_runs_lost_with_their_worker(stack, http, as_user, db, service):
    clerk, officer = as_user("clerk-st-23"), as_user("officer-civil-affairs")
    auditor = as_user("auditor")

    def file(n: int) -> dict:
        return http.post("/api/v1/applications", headers=clerk,
                         json=application(service, "st-23", n)).json()

    waiting = [file(n) for n in range(3)]
    paused = wait_for(lambda: (runs := runs_of(stack, [c["id"] for c in waiting], (
        "PAUSED",)))[2:] and runs, "three waiting runs", 90)
    batch: list[dict] = []

    def file_into_the_batch(n: int) -> int:
        batch.append(file(n))
        return batch[-1]["id"]

    _, lost = kill_the_worker_mid_run(stack, file_into_the_batch, 12)
    # Two more ways a case loses its run: Prefect marks it Crashed, or forgets it. The third
    # waiting case keeps its run and is left alone.
    prefect_call("POST", f"{stack['prefect']}/flow_runs/{paused[0]['id']}/set_state", json={
        "state": {"type": "CRASHED", "message": "no heartbeat"}, "force": True})
    assert prefect_call("DELETE", f"{stack['prefect']}/flow_runs/{paused[1]['id']}"
                        ).status_code == 204
    adrift = lost | {r["parameters"]["case_id"] for r in paused[:2]}

    time.sleep(3)
    report = govflow(stack, "reconcile", "--stuck-after", "2")
    assert report.returncode == 0, report.stderr
    redriven = {int(n) for n in re.search(r"re-drove \d+ case\(s\): \[(.*)\]",
                                          report.stdout)[1].split(",")}
    assert adrift <= redriven, report.stdout
    assert paused[2]["parameters"]["case_id"] not in redriven
    # Once re-driven, the scheduled deployment finds these cases well.
    assert run_deployment(stack["prefect"], "reconcile/every-2-minutes")["type"] == "COMPLETED"

    cases = waiting + batch
    for case in cases:
        item = review_of(http, clerk, case["id"])
        decided = http.post(f"/api/v1/work-items/{item}/decision", headers=officer,
                            json={"outcome": "approve"})
        assert decided.status_code == 200, decided.text
    # A run killed while suspending is Paused but refuses its decision; the next pass of the
    # reconciler (here the command again) re-drives it, and the new run replays the decision.
    time.sleep(5)
    again = govflow(stack, "reconcile", "--stuck-after", "4")
    assert again.returncode == 0, again.stderr
    redriven |= {int(n) for n in re.findall(r"\d+", re.search(
        r"re-drove \d+ case\(s\): \[(.*)\]", again.stdout)[1])}
    for case in cases:
        assert case_when_finished(http, clerk, case["id"])["status"] == "approved"
        assert ends_in_audit(http, auditor, case["id"]) == 1
        assert notifications_of(db, case["id"]) == 1
    audited = http.get("/api/v1/audit", headers=auditor,
                       params={"action": "case.redriven", "limit": 100}).json()
    assert {int(e["subject_id"]) for e in audited} == redriven
