"""Whistle-and-report through the API (QL-14, LK-09b): the branch whistles, departments report
or are late, the whistle climbs one level per missed deadline up to the district, and nobody
who reported leaves before the issue is closed. The sweep runs at chosen moments."""

from datetime import datetime, timedelta

import pytest

from services.whistle import reference, whistles
from tests.api.grid.conftest import COMMUNITY_SECRETARY, G01, ensure_grid_member

SHED = {"category": "illegal-construction", "description": "沧江花园2号楼顶楼违章搭建彩钢棚",
        "grid": G01, "building": "沧江花园2号楼", "channel": "patrol"}
TWO = ["urban-management", "market-supervision"]


@pytest.fixture(scope="module")
def branch(db, login):
    """The grid's branch secretary (网格党支部书记), who is its grid leader."""
    return login(ensure_grid_member(db, "grid-g01-branch", G01))


def whistled(client, branch, kind="routine", departments=TWO):
    issue = client.post("/api/v1/issues", headers=branch, json=SHED).json()["id"]
    answer = client.post(f"/api/v1/issues/{issue}/whistle", headers=branch, json={
        "kind": kind, "reason": "需要城管执法和市场监管联合拆除", "departments": departments})
    assert answer.status_code == 201, answer.text
    return issue, answer.json()


def sweep_at(db, moment):
    return whistles.sweep(db, reference.rules(), reference.ladder(), moment)


def test_a_routine_whistle_gives_the_departments_thirty_minutes(client, branch):
    _, whistle = whistled(client, branch)
    assert (whistle["level"], whistle["level_name"], whistle["kind_zh"]) == (0, "支部书记哨",
                                                                            "日常")
    for s in whistle["summons"]:
        given = datetime.fromisoformat(s["report_due_at"]) - datetime.fromisoformat(
            s["summoned_at"])
        assert given == timedelta(minutes=30)


def test_an_emergency_whistle_gives_fifteen_minutes(client, branch):
    _, whistle = whistled(client, branch, kind="emergency")
    s = whistle["summons"][0]
    assert datetime.fromisoformat(s["report_due_at"]) - datetime.fromisoformat(
        s["summoned_at"]) == timedelta(minutes=15)


def test_a_late_department_sends_the_whistle_up_one_level_at_a_time(client, db, branch,
                                                                    login):
    issue, whistle = whistled(client, branch)
    opened = datetime.fromisoformat(whistle["opened_at"])
    reported = client.post(f"/api/v1/issues/{issue}/whistle/report",
                           headers=login("officer-urban-management"),
                           json={"note": "城管中队两名队员已到场"}).json()
    on_time = {s["department"]: s["reported_late"] for s in reported["summons"]}
    assert on_time == {"urban-management": False, "market-supervision": None}

    assert (issue, 1) in sweep_at(db, opened + timedelta(minutes=31))
    assert not [c for c in sweep_at(db, opened + timedelta(minutes=45)) if c[0] == issue]
    seen = client.get(f"/api/v1/issues/{issue}/whistle", headers=branch).json()
    community = seen["levels"][1]
    assert (seen["level_name"], community["notified"], community["late_departments"]) == (
        "社区党委书记哨", "secretary:haicang-street-haicang", ["market-supervision"])

    sweep_at(db, opened + timedelta(hours=10))  # a sweep that ran late catches up …
    seen = client.get(f"/api/v1/issues/{issue}/whistle", headers=branch).json()
    assert [v["name_zh"] for v in seen["levels"]] == [  # … and stops at the district
        "支部书记哨", "社区党委书记哨", "街道党工委书记哨", "区委书记哨"]
    assert seen["levels"][3]["notified"] == "secretary:haicang"
    case = client.get(f"/api/v1/cases/{issue}", headers=login("auditor")).json()
    assert [e["level"] for e in case["escalations"]] == [1, 2, 3]
    came = client.post(f"/api/v1/issues/{issue}/whistle/report",
                       headers=login("officer-market-supervision"),
                       json={"note": "市场监管所已到场"}).json()
    assert {s["department"]: s["reported_late"] for s in came["summons"]} == {
        "urban-management": False, "market-supervision": True}


def test_a_department_that_reported_cannot_leave_before_the_issue_is_closed(client, branch,
                                                                            login):
    urban, secretary = login("officer-urban-management"), login(COMMUNITY_SECRETARY)
    issue, _ = whistled(client, branch)
    client.post(f"/api/v1/issues/{issue}/whistle/report", headers=urban,
                json={"note": "已到场"})
    refused = client.post(f"/api/v1/issues/{issue}/whistle/withdrawal", headers=urban)
    assert refused.status_code == 409 and "事不完，人不撤" in refused.json()["detail"]

    for who, what, body in [
            (urban, "resolution", {"result": "彩钢棚已拆除"}),
            (secretary, "supervision", {"passed": True, "method": "on-site"}),
            (branch, "feedback", {"message": "违建已拆除"}),
            (branch, "evaluation", {"rating": "satisfied"})]:
        assert client.post(f"/api/v1/issues/{issue}/{what}", headers=who,
                           json=body).status_code == 200
    left = client.post(f"/api/v1/issues/{issue}/whistle/withdrawal", headers=urban)
    assert left.status_code == 200
    assert next(s for s in left.json()["summons"]
                if s["department"] == "urban-management")["withdrawn_at"]


def test_summoned_departments_follow_the_issue_and_others_do_not(client, branch, login):
    issue, _ = whistled(client, branch)
    assert client.get(f"/api/v1/issues/{issue}",
                      headers=login("officer-market-supervision")).status_code == 200
    assert client.get(f"/api/v1/issues/{issue}/whistle",
                      headers=login("officer-water")).status_code == 404
    not_summoned = client.post(f"/api/v1/issues/{issue}/whistle/report",
                               headers=login("officer-water"), json={"note": "到场"})
    assert not_summoned.status_code == 404


def test_whistling_twice_or_an_unknown_department_is_refused(client, branch):
    issue, _ = whistled(client, branch)
    again = client.post(f"/api/v1/issues/{issue}/whistle", headers=branch, json={
        "kind": "routine", "reason": "再次吹哨", "departments": ["water"]})
    assert again.status_code == 409
    fresh = client.post("/api/v1/issues", headers=branch, json=SHED).json()["id"]
    unknown = client.post(f"/api/v1/issues/{fresh}/whistle", headers=branch, json={
        "kind": "routine", "reason": "需要协助", "departments": ["water", "ufo-bureau"]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "departments.1"


def test_the_dashboard_shows_the_whistle_rate_with_its_flag(client, branch, login):
    whistled(client, branch)
    board = client.get("/api/v1/dashboard/grassroots", headers=login("auditor")).json()
    rate = board["whistle"]["community"]["haicang-street-haicang"]
    assert rate["whistled"] >= 1 and rate["issues"] >= rate["whistled"]
    expected = "too-high" if rate["rate"] > 0.30 else "too-low" if rate["rate"] < 0.02 else "ok"
    assert rate["flag"] == expected
