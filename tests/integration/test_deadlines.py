"""Extending a promised deadline with a supervisor's approval, never past the legal limit; the
whistle ladder reaching the secretaries above the case, minute by minute."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from services.platform.db import models
from services.platform.reference_data import read_calendar, read_ladders
from services.work import cases, escalations, work_items
from services.work.cases import CaseCreate
from services.work.work_items import WorkItemSpec

calendar = read_calendar()
ACCEPTED = date(2026, 6, 1)


def community_station(db) -> models.Station:
    with db.reading() as uow:
        return uow.session.scalars(select(models.Station).where(
            models.Station.community_code.is_not(None)).order_by(models.Station.code)).first()


def service_with_slack(db) -> models.Service:
    """A service whose legal limit leaves room beyond its promise."""
    with db.reading() as uow:
        return uow.session.scalars(select(models.Service).where(
            models.Service.department_code == "civil-affairs",
            models.Service.legal_working_days > models.Service.promised_working_days + 2,
            models.Service.on_the_spot.is_(False)).order_by(models.Service.code)).first()


@pytest.fixture
def case(db):
    station = community_station(db)
    clerk = Actor(username=f"clerk-{station.code}", role=Role.CLERK, station=station.code)
    opened = cases.start_case(db, calendar, clerk, CaseCreate(
        service=service_with_slack(db).code, station=station.code, subject="延期测试"),
        ACCEPTED)
    item = work_items.open_item(db, WorkItemSpec(
        case_id=opened.id, step="department-review", title="审批", form="approval",
        candidate_group="department:civil-affairs"))
    return {"case": opened, "item": item, "station": station}


def test_an_approved_extension_moves_the_deadline_and_the_waiting_step(
        client, login, case):
    officer = login("officer-civil-affairs")
    asked = client.post(f"/api/v1/cases/{case['case'].id}/extensions", headers=officer,
                        json={"working_days": 2, "reasons": "需要实地核查"})
    assert asked.status_code == 201, asked.text
    assert client.get(f"/api/v1/cases/{case['case'].id}", headers=officer
                      ).json()["due_on"] == case["case"].due_on.isoformat()
    supervisor = login(f"secretary-{case['station'].street_code}")
    approved = client.post(
        f"/api/v1/cases/{case['case'].id}/extensions/{asked.json()['id']}/decision",
        headers=supervisor, json={"approve": True, "note": "同意"})
    assert approved.status_code == 200, approved.text
    moved = calendar.add_working_days(case["case"].due_on, 2).isoformat()
    assert approved.json()["due_after"] == moved
    item = client.get(f"/api/v1/work-items/{case['item'].id}", headers=officer).json()
    assert item["due_on"] == moved


def test_an_extension_past_the_legal_limit_is_refused(client, login, case):
    too_many = calendar.working_days_between(case["case"].due_on,
                                             case["case"].legal_due_on) + 1
    response = client.post(f"/api/v1/cases/{case['case'].id}/extensions",
                           headers=login("officer-civil-affairs"),
                           json={"working_days": too_many, "reasons": "材料复杂"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "working_days"
    assert "legal limit" in response.json()["errors"][0]["message"]


def test_only_a_supervisor_of_the_area_approves(client, login, case):
    asked = client.post(f"/api/v1/cases/{case['case'].id}/extensions",
                        headers=login("officer-civil-affairs"),
                        json={"working_days": 1, "reasons": "等待外部函复"}).json()
    url = f"/api/v1/cases/{case['case'].id}/extensions/{asked['id']}/decision"
    elsewhere = next(s for s in ("songyu", "xinyang", "dongfu", "haicang-street")
                     if s != case["station"].street_code)
    assert client.post(url, headers=login(f"secretary-{elsewhere}"),
                       json={"approve": True}).status_code == 404
    assert client.post(url, headers=login("officer-civil-affairs"),
                       json={"approve": True}).status_code == 403
    assert client.post(url, headers=login("auditor"), json={"approve": True}).status_code == 403


def test_a_clerk_cannot_ask_for_an_extension(client, login, case):
    response = client.post(f"/api/v1/cases/{case['case'].id}/extensions",
                           headers=login(f"clerk-{case['station'].code}"),
                           json={"working_days": 1, "reasons": "x"})
    assert response.status_code == 403


def test_an_unanswered_whistle_reaches_each_secretary_above_the_case(db, case):
    item = work_items.open_item(db, WorkItemSpec(
        case_id=case["case"].id, step="report", title="部门报到", form="approval",
        candidate_group="department:urban-management", due="none", ladder="whistle"))
    later = item.created_at + timedelta(minutes=61)
    applied = [a for a in escalations.sweep(db, calendar, read_ladders(), ACCEPTED, later)
               if a.work_item_id == item.id]
    station = case["station"]
    assert [(a.level, a.notified) for a in applied] == [
        (1, f"secretary:{station.community_code}"), (2, f"secretary:{station.street_code}")]
    at_90 = item.created_at + timedelta(minutes=90)
    third = [a for a in escalations.sweep(db, calendar, read_ladders(), ACCEPTED, at_90)
             if a.work_item_id == item.id]
    assert [(a.level, a.notified) for a in third] == [(3, "secretary:haicang")]
