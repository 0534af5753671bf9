"""The red forum (LK-13a/b) on a real Prefect server and worker: the quarterly deployment
convenes it with topics proposed from last quarter's escalated cases (seeded in the work
layer), an organiser records it through the HTTP API, the action reaches its owner's queue,
is reported and confirmed, and the secretaries present have the forum on their record."""

from datetime import UTC, date, datetime

import pytest

from tests.e2e.conftest import get_ok, govflow, prefect_call, stack_db, wait_for

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-07-10"}  # the forum's day in the third quarter
ORGANISER_PASSWORD = "organiser-e2e-password"


def seed_escalated(stack, subject: str, level: int, applied: date) -> int:
    from services.work.models import Case, Escalation, WorkItem

    db = stack_db(stack)

    def work(uow) -> int:
        now = datetime.now(UTC)
        case = Case(process="approval", process_version=1, status="in_progress",
                    station_code="st-06", subject=subject, accepted_on=applied,
                    due_on=applied, created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        item = WorkItem(case_id=case.id, step="department-review", step_key="r#1",
                        title=subject, form="approval", candidate_group="department:water",
                        status="open", due_on=applied, created_at=now)
        uow.session.add(item)
        uow.session.flush()
        for n in range(1, level + 1):
            uow.session.add(Escalation(work_item_id=item.id, case_id=case.id,
                                       ladder="department-deadline", level=n, name_zh="督办",
                                       notified="x", due_on=applied, applied_on=applied,
                                       at=now))
        uow.commit()
        return case.id

    try:
        return db.run(work)
    finally:
        db.dispose()


def test_a_quarter_s_forum_from_escalated_cases_to_a_closed_action(stack, http, as_user):
    hard = seed_escalated(stack, "温厝社区积水点整治", 3, date(2026, 5, 12))
    mild = seed_escalated(stack, "温厝社区路灯维修", 1, date(2026, 6, 2))
    created = govflow(stack, "users", "create", "organiser-haicang", "secretary", "--name",
                      "区委组织部", "--org-unit", "haicang", "--password", ORGANISER_PASSWORD)
    assert created.returncode == 0, created.stderr
    organiser = {"Authorization": "Bearer " + http.post("/api/v1/auth/token", data={
        "username": "organiser-haicang", "password": ORGANISER_PASSWORD}).json()["access_token"]}

    deployment = wait_for(lambda: get_ok(f"{stack['prefect']}/deployments/name/"
                                         "red-forum/quarterly"), "the forum deployment").json()
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 9 10 1,4,7,10 *"
    run = prefect_call("POST", f"{stack['prefect']}/deployments/{deployment['id']}"
                       "/create_flow_run", json={})
    assert run.status_code == 201, run.text
    forum_id = wait_for(lambda: http.get("/api/v1/forum/forums", headers=organiser).json(),
                        "the forum", timeout=90)[0]["id"]
    forum = http.get(f"/api/v1/forum/forums/{forum_id}", headers=organiser).json()
    assert (forum["quarter"], forum["looks_back_on"]) == ("2026-Q3", "2026-Q2")
    order = [t["case_id"] for t in forum["topics"]]
    assert order.index(hard) < order.index(mild)
    assert forum["topics"][0]["evidence"]["escalation_level"] == 3

    def record():
        response = http.post(f"/api/v1/forum/forums/{forum_id}/record", headers=organiser,
                             json={"held_on": "2026-07-10",
                                   "attended": ["secretary-haicang-street-wencuo",
                                                "secretary-dongfu-tianzhu"],
                                   "topics": [{"topic_id": forum["topics"][0]["id"]}],
                                   "actions": [{"topic": 0, "text": "积水点改造纳入年度计划",
                                                "owner": "water", "working_days": 15}]})
        return response if response.status_code != 409 else None  # the step not open yet

    assert wait_for(record, "the record step").status_code == 200
    held = wait_for(lambda: (f := http.get(f"/api/v1/forum/forums/{forum_id}",
                                           headers=organiser).json())["actions"] and f,
                    "the forum's actions", timeout=90)
    action = held["actions"][0]
    assert held["status"] == "held" and action["deadline"] == "2026-07-31"
    water = as_user("officer-water")
    wait_for(lambda: [i for i in http.get("/api/v1/work-items", headers=water, params={
        "candidate_group": "department:water", "status": "open"}).json()
        if i["case_id"] == action["case_id"]], "the owner's work item")
    done = http.post(f"/api/v1/forum/actions/{action['id']}/completion", headers=water,
                     json={"result": "已完成两处积水点改造"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    closed = http.post(f"/api/v1/forum/actions/{action['id']}/confirmation", headers=organiser)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    record_ = http.get("/api/v1/forum/reserve/secretary-dongfu-tianzhu", headers=organiser)
    assert [e["kind"] for e in record_.json()["entries"]] == ["forum"]
    assert http.get("/api/v1/forum/reserve/secretary-dongfu-tianzhu",
                    headers=as_user("secretary-xinyang-xingwang")).status_code == 404
    wait_for(lambda: prefect_call("GET", f"{stack['prefect']}/flow_runs/{run.json()['id']}"
                                  ).json()["state"]["type"] == "COMPLETED", "the run to end")
