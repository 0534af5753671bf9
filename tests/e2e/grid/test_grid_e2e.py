"""The grid loop and whistle-and-report on the real stack (`govflow up`: API, Prefect server,
worker): everything through HTTP; the whistle climbs when the worker runs the whistle-sweep
deployment at chosen moments (the sweep's `at`), with today pinned to Monday 2026-11-02."""

from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import (
    PASSWORD,
    kill_and_wait_for_restart,
    next_open_item,
    run_deployment,
)

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-11-02"}  # a Monday
G01 = "haicang-street-haicang-g01"  # 海沧社区第一网格
SECRETARY = "secretary-haicang-street-haicang"  # 海沧社区书记


@pytest.fixture(scope="module")
def member(http, as_user):
    """A grid member of 海沧社区第一网格, created by the administrator through the API."""
    created = http.post("/api/v1/users", headers=as_user("admin"), json={
        "username": "grid-g01-wang", "full_name": "王网格员", "password": PASSWORD,
        "role": "secretary", "org_unit": G01})
    assert created.status_code == 201, created.text
    return as_user("grid-g01-wang")


def step(http, headers, issue: int, what: str, body: dict | None = None) -> dict:
    answer = http.post(f"/api/v1/issues/{issue}/{what}", headers=headers, json=body)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_a_reported_drain_is_handled_rejected_once_accepted_evaluated_and_closed(
        http, as_user, member):
    water, secretary = as_user("officer-water"), as_user(SECRETARY)
    filed = http.post("/api/v1/issues", headers=member, json={
        "category": "drain-blocked", "description": "沧江花园1号楼前下水道堵塞，污水漫到人行道",
        "grid": G01, "building": "沧江花园1号楼", "channel": "resident",
        "raiser_name": "李阿姨", "raiser_phone": "13912345678"})
    assert filed.status_code == 201, filed.text
    issue = filed.json()
    assert (issue["due_on"], issue["handler_group"]) == ("2026-11-05", "department:water")

    item = next_open_item(http, water, "department:water", issue["id"])
    assert item["due_on"] == "2026-11-05"
    step(http, water, issue["id"], "resolution", {"result": "已疏通管道"})
    back = step(http, secretary, issue["id"], "supervision", {
        "passed": False, "method": "on-site", "reasons": "井口仍有积水，未清理淤泥"})
    assert back["status"] == "handling"
    again = next_open_item(http, water, "department:water", issue["id"])
    assert "井口仍有积水" in again["title"]
    refused = http.post(f"/api/v1/issues/{issue['id']}/closure", headers=member)
    assert refused.status_code == 409

    step(http, water, issue["id"], "resolution", {"result": "清理淤泥并更换井盖"})
    step(http, secretary, issue["id"], "supervision", {"passed": True, "method": "photos"})
    step(http, member, issue["id"], "feedback", {"message": "下水道已疏通，井盖已更换"})
    closed = step(http, member, issue["id"], "evaluation", {"rating": "satisfied"})
    assert (closed["status"], closed["closed_on"], closed["rating"]) == (
        "closed", "2026-11-02", "satisfied")

    trail = http.get("/api/v1/audit", headers=as_user("auditor"),
                     params={"subject_type": "case", "subject_id": str(issue["id"])}).json()
    assert [e["action"] for e in trail].count("issue.supervised") == 2
    board = http.get("/api/v1/dashboard/grassroots", headers=as_user("auditor")).json()
    assert board["by_level"]["department"]["water"]["resolution_rate"] == 1.0


def test_a_whistle_summoning_two_departments_one_late_reaches_the_street_then_is_solved(
        http, stack, as_user, member):
    urban, market = as_user("officer-urban-management"), as_user("officer-market-supervision")
    issue = http.post("/api/v1/issues", headers=member, json={
        "category": "illegal-construction", "description": "沧江花园2号楼顶违章搭建彩钢棚",
        "grid": G01, "channel": "patrol"}).json()["id"]
    whistle = step(http, member, issue, "whistle", {
        "kind": "routine", "reason": "需要城管执法和市场监管联合拆除",
        "departments": ["urban-management", "market-supervision"]})
    opened = datetime.fromisoformat(whistle["opened_at"])
    step(http, urban, issue, "whistle/report", {"note": "城管中队两名队员已到场"})

    def sweep(minutes: int) -> dict:
        state = run_deployment(stack["prefect"], "whistle-sweep/every-minute",
                               {"at": (opened + timedelta(minutes=minutes)).isoformat()})
        assert state["type"] == "COMPLETED", state
        return http.get(f"/api/v1/issues/{issue}/whistle", headers=member).json()

    assert sweep(31)["level_name"] == "社区党委书记哨"
    street = sweep(61)
    assert street["level_name"] == "街道党工委书记哨"
    assert [v["late_departments"] for v in street["levels"][1:]] == [["market-supervision"]] * 2
    assert street["levels"][2]["notified"] == "secretary:haicang-street"

    step(http, market, issue, "whistle/report", {"note": "市场监管所已到场"})
    held = sweep(200)
    assert held["level_name"] == "街道党工委书记哨"  # everyone reported: it climbs no further
    late = {s["department"]: s["reported_late"] for s in held["summons"]}
    assert late == {"urban-management": False, "market-supervision": True}
    assert http.post(f"/api/v1/issues/{issue}/whistle/withdrawal",
                     headers=urban).status_code == 409

    step(http, urban, issue, "resolution", {"result": "联合执法拆除彩钢棚"})
    step(http, as_user(SECRETARY), issue, "supervision", {"passed": True, "method": "on-site"})
    step(http, member, issue, "feedback", {"message": "违建已拆除"})
    assert step(http, member, issue, "evaluation", {"rating": "satisfied"})["status"] == "closed"
    assert http.post(f"/api/v1/issues/{issue}/whistle/withdrawal",
                     headers=urban).status_code == 200


def test_killing_the_worker_while_issues_and_a_whistle_wait_loses_none(http, stack, as_user,
                                                                       member):
    """The loop's waits are work items in the business database and the whistle's deadlines
    are rows the sweep reads: a worker killed mid-wait loses nothing, the next one carries on."""
    water = as_user("officer-water")
    waiting = [http.post("/api/v1/issues", headers=member, json={
        "category": "drain-blocked", "description": f"下水道堵塞 {n}", "grid": G01}).json()["id"]
        for n in range(3)]
    whistled = http.post("/api/v1/issues", headers=member, json={
        "category": "food-safety", "description": "小区门口无证熟食摊", "grid": G01}).json()["id"]
    opened = datetime.fromisoformat(step(http, member, whistled, "whistle", {
        "kind": "emergency", "reason": "涉及食品安全，需市场监管立即到场",
        "departments": ["market-supervision"]})["opened_at"])

    kill_and_wait_for_restart(stack, "flows.worker")

    for issue in waiting:
        assert next_open_item(http, water, "department:water", issue)["case_id"] == issue
        step(http, water, issue, "resolution", {"result": "已疏通"})
    state = run_deployment(stack["prefect"], "whistle-sweep/every-minute",
                           {"at": (opened + timedelta(minutes=16)).isoformat()})
    assert state["type"] == "COMPLETED"
    seen = http.get(f"/api/v1/issues/{whistled}/whistle", headers=member).json()
    assert seen["level_name"] == "社区党委书记哨"
