"""The relay dies after Prefect took a resume and before it marked the message sent: the message
goes out again, counts as delivered because the run already holds that input (Prefect's own
record of it, read by services/orchestration.py), and the decision is applied once."""

import pytest
from sqlalchemy import select, update

from services.platform import notifications
from services.platform.db import models
from tests.e2e.conftest import (
    case_when_finished,
    next_open_item,
    prefect_call,
    stack_db,
    wait_for,
)

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-07-06"}


@pytest.fixture(scope="module")
def db(stack):
    database = stack_db(stack)
    yield database
    database.dispose()


def resume_message(db, item_id: int) -> models.OutboxMessage | None:
    with db.reading() as uow:
        return next((m for m in uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.kind == "resume_flow_run"))
            if m.payload["pause_key"] == f"work-item-{item_id}"), None)


def test_a_resume_sent_again_after_the_relay_died_counts_as_delivered_and_applies_once(
        stack, http, as_user, db):
    clerk, officer = as_user("clerk-st-07"), as_user("officer-civil-affairs")
    service = next(s for s in http.get("/api/v1/catalogue/services", params={
        "department": "civil-affairs", "on_the_spot": "false"}).json()["items"]
        if "person" in s["guide"]["applicant_kinds"])
    case = http.post("/api/v1/applications", headers=clerk, json={
        "service": service["code"], "station": "st-07",
        "materials": [m["code"] for m in service["guide"]["materials"]],
        "applicant": {"kind": "person", "name": "重发测试", "id_number": "11010519491231002X",
                      "phone": "13812345678"}}).json()
    item = next_open_item(http, officer, "department:civil-affairs", case["id"])
    assert http.post(f"/api/v1/work-items/{item['id']}/decision", headers=officer,
                     json={"outcome": "approve"}).status_code == 200
    assert case_when_finished(http, clerk, case["id"])["status"] == "approved"
    sent = wait_for(lambda: (m := resume_message(db, item["id"])) and m.sent_at and m,
                    "the resume marked sent", 120)
    assert sent.last_error is None
    run = prefect_call("GET", f"{stack['prefect']}/flow_runs/{sent.payload['flow_run_id']}")
    assert run.json()["state"]["type"] == "COMPLETED"  # paused nowhere: only its input tells

    with db.writing() as uow:  # as the relay left it, dying before it marked the message
        uow.session.execute(update(models.OutboxMessage).where(
            models.OutboxMessage.id == sent.id).values(sent_at=None, attempts=0))
        uow.commit()
    again = wait_for(lambda: (m := resume_message(db, item["id"])) and m.sent_at and m,
                     "the resume sent again", 120)

    assert again.last_error is None  # delivered, not "undeliverable"
    ended = http.get("/api/v1/audit", headers=as_user("auditor"), params={
        "subject_type": "case", "subject_id": str(case["id"]), "action": "case.approved"})
    assert len(ended.json()) == 1
    wait_for(lambda: notifications.delivered_for(db, case["id"]), "the notification", 60)
    assert len(notifications.delivered_for(db, case["id"])) == 1
