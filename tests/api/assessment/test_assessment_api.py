"""The assessment through the API (LK-02, QL-12b): a year's ranking with the figures behind
each score, the district's confirmation of an award through its work item (auditors and others
refused, bad input named), the printable report, and a month's popularity of the centres."""

from datetime import date

import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from policies.assessment.rules import KeyTask
from services.assessment import assessments
from services.platform import identity
from services.platform.db import models
from services.wishes import reference, wishes
from services.wishes.wishes import Fulfilment, WishPost
from services.work import work_items
from tests.applicants import citizen_id
from tests.conftest import DEMO_PASSWORD, SYSTEM

YEAR = 2041  # a year no other test's records reach
WENCUO, HAICANG = "haicang-street-wencuo", "haicang-street-haicang"
DISTRICT = "secretary-haicang"
HEALTH = Actor(username="officer-health", role=Role.OFFICER, department="health")


def wish(db, community: str, on: date, fulfilled: bool) -> int:
    number = citizen_id()
    resident = Actor(username=number, role=Role.APPLICANT, applicant_number=number)
    rules = reference.read_rules()
    posted = wishes.post(db, rules, resident, WishPost(
        community=community, kind="ride", title="周三上午需要车送去医院复诊",
        description="腿脚不便"), on)
    if fulfilled:
        wishes.claim(db, rules, HEALTH, posted.id)
        wishes.fulfil(db, rules, HEALTH, posted.id, Fulfilment(note="已接送"))
    return posted.id


@pytest.fixture(scope="module")
def assessed(db):
    """温厝 fulfilled 2 of 2 wishes, 海沧 1 of 2; the district named a key task of 温厝."""
    for community, done in ((WENCUO, [True, True]), (HAICANG, [True, False])):
        for fulfilled in done:
            wish(db, community, date(YEAR, 3, 12), fulfilled)
    with db.reading() as uow:
        exists = uow.session.scalar(select(models.User).where(models.User.username == DISTRICT))
    if not exists:
        identity.create_user(db, SYSTEM, identity.UserCreate(
            username=DISTRICT, full_name="区委组织部", password=DEMO_PASSWORD,
            role=Role.SECRETARY, org_unit="haicang"))
    base = assessments.assessment_rules()
    rules = base.model_copy(update={"award": base.award.model_copy(update={"key_tasks": {
        YEAR: [KeyTask(community=WENCUO, task="温厝社区积水点整治")]}})})
    assessment_id = assessments.assess(db, rules, YEAR, date(YEAR + 1, 1, 10), None)
    work_items.open_item(db, assessments.confirmation_spec(  # as the yearly flow does
        assessments.case_of(db, assessment_id), rules))
    return assessment_id


def test_the_ranking_shows_each_score_s_indicators(client, login, assessed):
    answer = client.get(f"/api/v1/assessment/{YEAR}", headers=login("auditor"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    ranked = {e["community"]: e for e in body["ranking"]}
    assert (ranked[WENCUO]["rank"], ranked[HAICANG]["rank"]) == (1, 2)
    wishes_ = {i["code"]: i for i in ranked[HAICANG]["indicators"]}["wishes_fulfilled"]
    assert (wishes_["part"], wishes_["whole"], wishes_["value"]) == (1, 2, 0.5)
    assert body["status"] == "awaiting-confirmation"
    assert [(a["community"], a["status"]) for a in body["awards"]] == [(WENCUO, "candidate")]


def test_only_the_district_confirms_and_every_candidate_is_decided(client, login, assessed):
    path = f"/api/v1/assessment/{YEAR}/awards/confirmation"
    for who in ("auditor", "secretary-haicang-street-wencuo"):
        refused = client.post(path, headers=login(who), json={"confirmed": [WENCUO]})
        assert refused.status_code == 403, refused.text
    district = login(DISTRICT)
    wrong = client.post(path, headers=district, json={"confirmed": [HAICANG]})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "confirmed.0"
    assert client.get(f"/api/v1/assessment/{YEAR}", headers=district).json()["status"] == \
        "awaiting-confirmation"  # nothing written
    done = client.post(path, headers=district, json={"confirmed": [WENCUO]})
    assert done.status_code == 200 and done.json()["status"] == "completed"


def test_the_printable_report_and_a_missing_year(client, login, assessed):
    report = client.get(f"/api/v1/assessment/{YEAR}/report", headers=login("auditor"))
    assert report.status_code == 200 and "温厝社区" in report.text
    assert "微心愿实现率" in report.text and "1/2＝50.0%" in report.text
    assert "吹哨率<br>（权重0.05；2%至30%得分）" in report.text  # the whistle's own band
    missing = client.get("/api/v1/assessment/2099", headers=login("auditor"))
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/problem+json")


def test_a_month_s_popularity_counts_use(client, login, assessed):
    answer = client.get("/api/v1/assessment/centres", params={"month": f"{YEAR}-03"},
                        headers=login("auditor"))
    assert answer.status_code == 200, answer.text
    centres = {c["centre"]: c for c in answer.json()["centres"]}
    assert len(centres) == 44  # the district centre and the 43 stations
    assert centres["st-06"]["counts"] == {"wishes": 2} and centres["st-06"]["index"] == 4
    assert centres["st-05"]["facilities"]["area_m2"] == 1200
    assert centres["st-06"]["rank"] < centres["st-07"]["rank"]  # 东屿: unused, below
    bad = client.get("/api/v1/assessment/centres", params={"month": "2041-13"},
                     headers=login("auditor"))
    assert bad.status_code == 422 and "month" in bad.text
