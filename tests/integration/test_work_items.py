"""Work-item operations through the HTTP API: claim, assign (转办), delegate (委派), urge (催办),
history, scope. Decisions resuming real flow runs are in tests/e2e/."""

from datetime import date

import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from services.platform import identity
from services.platform.db import models
from services.platform.errors import Conflict
from services.platform.identity import UserCreate
from services.platform.reference_data import read_calendar
from services.work import cases, work_items
from services.work.cases import CaseCreate
from services.work.work_items import WorkItemSpec, operations
from tests.conftest import DEMO_PASSWORD

clerk = Actor(username="clerk-st-11", role=Role.CLERK, station="st-11")
ADMIN = Actor(username="admin", role=Role.ADMIN)


@pytest.fixture(scope="module")
def colleague(db):
    """A second officer of the department, to hand items to."""
    identity.create_user(db, ADMIN, UserCreate(
        username="officer-health-2", full_name="卫健审批员二", password=DEMO_PASSWORD,
        role="officer", department="health"))
    return "officer-health-2"


@pytest.fixture
def item(db):
    case = cases.start_case(db, read_calendar(), clerk, CaseCreate(
        service="S001", station="st-11", subject="操作测试"), date(2026, 5, 11))
    return work_items.open_item(db, WorkItemSpec(
        case_id=case.id, step="department-review", title="审批", form="approval",
        candidate_group="department:health"))


def post(client, headers, item_id, operation, json=None):
    return client.post(f"/api/v1/work-items/{item_id}/{operation}", headers=headers, json=json)


def test_a_member_claims_and_only_the_claimer_puts_it_back(client, login, item, colleague):
    mine, other = login("officer-health"), login(colleague)
    claimed = post(client, mine, item.id, "claim")
    assert (claimed.json()["status"], claimed.json()["assignee"]) == ("claimed",
                                                                      "officer-health")
    assert post(client, other, item.id, "claim").status_code == 409
    assert post(client, other, item.id, "unclaim").status_code == 409
    assert post(client, mine, item.id, "unclaim").json()["status"] == "open"


def test_an_item_outside_ones_groups_does_not_exist_for_one(client, login, item):
    assert post(client, login("officer-civil-affairs"), item.id, "claim").status_code == 404
    assert client.get(f"/api/v1/work-items/{item.id}",
                      headers=login("officer-civil-affairs")).status_code == 404


def test_an_auditor_reads_but_cannot_claim(client, login, item):
    assert client.get(f"/api/v1/work-items/{item.id}", headers=login("auditor")).status_code == 200
    assert post(client, login("auditor"), item.id, "claim").status_code == 403


def test_assign_hands_the_item_to_a_member_of_its_group_only(client, login, item, colleague):
    mine = login("officer-health")
    post(client, mine, item.id, "claim")
    outsider = post(client, mine, item.id, "assign", {"assignee": "officer-education"})
    assert outsider.status_code == 422 and outsider.json()["errors"][0]["field"] == "assignee"
    handed = post(client, mine, item.id, "assign", {"assignee": colleague})
    assert handed.json()["assignee"] == colleague


def test_a_delegates_answer_returns_the_item_to_its_owner(client, login, item, colleague):
    mine, theirs = login("officer-health"), login(colleague)
    post(client, mine, item.id, "claim")
    lent = post(client, mine, item.id, "delegate", {"delegate": colleague}).json()
    assert (lent["status"], lent["assignee"], lent["owner"]) == ("delegated", colleague,
                                                                 "officer-health")
    blocked = post(client, theirs, item.id, "decision", {"outcome": "approve"})
    assert blocked.status_code == 409 and "delegated" in blocked.json()["detail"]
    back = post(client, theirs, item.id, "resolve", {"answer": "材料核实无误"}).json()
    assert (back["status"], back["assignee"], back["owner"]) == ("claimed", "officer-health",
                                                                 None)
    history = client.get(f"/api/v1/work-items/{item.id}/history", headers=mine).json()
    assert [h["action"] for h in history] == [
        "work_item.opened", "work_item.claim", "work_item.delegate", "work_item.resolve"]
    assert history[-1]["note"] == "材料核实无误"


def test_a_stale_version_is_refused(client, login, item):
    mine = login("officer-health")
    etag = client.get(f"/api/v1/work-items/{item.id}", headers=mine).headers["ETag"]
    post(client, mine, item.id, "claim")
    stale = client.post(f"/api/v1/work-items/{item.id}/unclaim",
                        headers=mine | {"If-Match": etag})
    assert stale.status_code == 409 and "changed" in stale.json()["detail"]


def test_urging_is_recorded_and_notifies_the_holder(client, login, db, item):
    post(client, login("officer-health"), item.id, "claim")
    assert post(client, login("officer-health"), item.id, "urge",
                {"message": "请尽快办理"}).status_code == 409  # an officer does not urge
    urged = post(client, login(f"secretary-{street_of(db, 'st-11')}"), item.id, "urge",
                 {"message": "请尽快办理"})
    assert urged.status_code == 200, urged.text
    with db.reading() as uow:
        notes = [m.payload for m in uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.kind == "notify"))]
    assert {"to": "officer-health", "subject": "催办: 审批", "body": "请尽快办理",
            "case_id": item.case_id} in [{k: n[k] for k in ("to", "subject", "body", "case_id")}
                                         for n in notes]


def test_a_secretary_of_another_street_does_not_see_the_item(client, login, db, item):
    other = next(s for s in ("songyu", "xinyang", "dongfu", "haicang-street")
                 if s != street_of(db, "st-11"))
    assert client.get(f"/api/v1/work-items/{item.id}",
                      headers=login(f"secretary-{other}")).status_code == 404


def street_of(db, station: str) -> str:
    with db.reading() as uow:
        return uow.session.get(models.Station, station).street_code


def test_the_queue_filters_by_group_status_and_due_date(client, login, item):
    mine = login("officer-health")
    open_items = client.get("/api/v1/work-items", headers=mine, params={
        "candidate_group": "department:health", "status": "open"}).json()
    assert item.id in [i["id"] for i in open_items]
    assert all(i["status"] == "open" for i in open_items)
    by_department = client.get("/api/v1/work-items", headers=mine, params={
        "department": "health", "status": "open"}).json()
    assert [i["id"] for i in by_department] == [i["id"] for i in open_items]
    before_due = client.get("/api/v1/work-items", headers=mine, params={
        "due_before": item.due_on.isoformat()}).json()
    assert item.id not in [i["id"] for i in before_due]


def test_going_back_over_a_correction_cycle_is_refused(db, item):
    health = Actor(username="officer-health", role=Role.OFFICER, department="health")
    work_items.decide(db, read_calendar(), health, item.id,
                      {"outcome": "return", "corrections": ["照片"]}, date(2026, 5, 11))
    fix = work_items.open_item(db, WorkItemSpec(
        case_id=item.case_id, step="correction", title="补正", form="correction",
        candidate_group="station:st-11", due="none", ladder=None))
    work_items.decide(db, read_calendar(), clerk, fix.id, {"supplied": ["照片"]},
                      date(2026, 5, 12))
    again = work_items.open_item(db, WorkItemSpec(
        case_id=item.case_id, step="department-review", attempt=2, title="审批",
        form="approval", candidate_group="department:health"))
    with pytest.raises(Conflict, match="deadline clock moved"):
        work_items.return_to(db, health, again.id, "correction", "再补一次")
    assert work_items.get(db, health, again.id).status == "open"


def test_a_run_taking_the_case_over_as_the_officer_decides_gets_the_decision(db, item,
                                                                            monkeypatch):
    """A new run (a migration, a re-drive) re-opens the item to point it at itself, and the
    officer's decision lands between its read and its write: the run reads again and gets the
    decision, rather than failing on the item's changed version."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite a writing unit holds the write lock from its first read")
    health = Actor(username="officer-health", role=Role.OFFICER, department="health")
    spec = WorkItemSpec(case_id=item.case_id, step="department-review", title="审批",
                        form="approval", candidate_group="department:health",
                        flow_run_id="new-run")
    read_before_the_decision = operations.open_step
    reads = []

    def officer_decides_meanwhile(session, *args, **kwargs):
        found = read_before_the_decision(session, *args, **kwargs)
        if not reads:
            work_items.decide(db, read_calendar(), health, item.id, {"outcome": "approve"},
                              date(2026, 5, 11))
        reads.append(found.status)
        return found

    monkeypatch.setattr(operations, "open_step", officer_decides_meanwhile)
    reopened = work_items.open_item(db, spec)
    assert reads == ["open", "completed"]
    assert reopened.decision["outcome"] == "approve"
