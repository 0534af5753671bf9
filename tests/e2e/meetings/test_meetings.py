"""A community joint meeting (QL-10a/b/c) through the HTTP API on a real Prefect server and
worker: the body's scheduled deployment convenes it, a member submits a matter, the secretary
finalises the agenda, records the meeting with two resolutions and confirms the minutes; one
resolution is closed by its owner and confirmed, the other goes overdue and is escalated."""

import httpx
import pytest
from icalendar import Calendar

from tests.e2e.conftest import get_ok, prefect_call, run_deployment, wait_for

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-06-05"}  # a Friday, the day community meetings convene
BODY = "haicang-street-wencuo"  # 温厝社区大党委
SECRETARY = f"secretary-{BODY}"
MEMBER = "officer-housing-construction"  # a part-time member of the body (bodies.yaml)


def convene(stack) -> str:
    """What the schedule does on the 5th: a run of the body's deployment."""
    name = f"joint-meeting/{BODY}"
    deployment = wait_for(lambda: get_ok(f"{stack['prefect']}/deployments/name/{name}"),
                          f"{name} to be registered", timeout=60).json()
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 9 5 * *"
    created = prefect_call("POST", f"{stack['prefect']}/deployments/{deployment['id']}"
                           "/create_flow_run", json={})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def meeting_at(http, headers, meeting_id: int, step: str | None = None,
               status: str | None = None) -> dict:
    def ready():
        m = http.get(f"/api/v1/meetings/{meeting_id}", headers=headers).json()
        ok = (step is None or step in m["waiting_on"]) and (status in (None, m["status"]))
        return m if ok else None

    return wait_for(ready, f"meeting {meeting_id} at {step or status}", timeout=90)


def ok(response: httpx.Response, code: int = 200) -> dict:
    assert response.status_code == code, response.text
    return response.json()


def test_a_meeting_from_convening_to_resolutions_closed_and_overdue(stack, http, as_user):
    secretary, member = as_user(SECRETARY), as_user(MEMBER)
    run_id = convene(stack)
    listed = wait_for(lambda: http.get("/api/v1/meetings", headers=secretary, params={
        "body": BODY, "period": "2026-06"}).json()["items"], "the meeting", timeout=90)
    meeting_id = listed[0]["id"]
    m = meeting_at(http, secretary, meeting_id, step="agenda")
    assert m["matters_close_on"] == "2026-06-12"
    kinds = [i["kind"] for i in m["invitations"]]
    assert kinds.count("full-time") == 3 and kinds.count("part-time") == 4
    assert kinds.count("registered-leader") == 1

    ics = Calendar.from_ical(http.get(f"/api/v1/meetings/{meeting_id}/invitation.ics",
                                      headers=member).content)
    event = next(iter(ics.walk("VEVENT")))
    assert str(event["summary"]).startswith("温厝社区社区大党委联席会议")
    assert len(event["attendee"]) == 8

    other = as_user("secretary-haicang-street-dongyu")
    assert http.get(f"/api/v1/meetings/{meeting_id}", headers=other).status_code == 404
    assert http.post(f"/api/v1/meetings/{meeting_id}/matters", headers=as_user("officer-water"),
                     json={"title": "无关单位", "detail": "x"}).status_code == 404

    lift = ok(http.post(f"/api/v1/meetings/{meeting_id}/matters", headers=member, json={
        "title": "老旧小区加装电梯", "detail": "温厝花园3号楼居民联名申请加装电梯。"}), 201)
    parking = ok(http.post(f"/api/v1/meetings/{meeting_id}/matters", headers=secretary, json={
        "title": "夜间停车难", "detail": "温厝新城周边夜间停车位不足。"}), 201)

    refused = http.post(f"/api/v1/meetings/{meeting_id}/agenda", headers=secretary, json={
        "order": [{"item_id": lift["id"]}]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "dropped"
    ok(http.post(f"/api/v1/meetings/{meeting_id}/agenda", headers=secretary, json={
        "order": [{"item_id": lift["id"], "minutes": 30},
                  {"item_id": parking["id"], "minutes": 20}]}))
    m = meeting_at(http, secretary, meeting_id, step="record", status="agenda-final")
    assert [i["title"] for i in m["agenda"]][:2] == ["老旧小区加装电梯", "夜间停车难"]

    members = [i["person"] for i in m["invitations"] if i["kind"] != "registered-leader"]
    attendance = [{"person": p, "status": "present"} for p in members[:-1]]
    attendance.append({"person": members[-1], "status": "absent", "reason": "外出学习"})
    ok(http.post(f"/api/v1/meetings/{meeting_id}/record", headers=secretary, json={
        "held_on": "2026-06-05", "place": "温厝社区党群服务中心", "attendance": attendance,
        "resolutions": [
            {"agenda_item_id": lift["id"], "kind": "实施项目",
             "text": "温厝花园3号楼加装电梯，完成方案审查和公示", "owner": "housing-construction",
             "co_owners": ["market-supervision"], "working_days": 10},
            {"agenda_item_id": parking["id"], "kind": "推进措施",
             "text": "错时开放辖区单位停车场", "owner": "transport", "working_days": 3}]}))
    m = meeting_at(http, secretary, meeting_id, step="minutes", status="held")
    assert m["quorum_note"] == "应到7人，实到6人，需4人"
    lift_r, parking_r = m["resolutions"]
    assert (lift_r["deadline"], parking_r["deadline"]) == ("2026-06-22", "2026-06-10")

    minutes = http.get(f"/api/v1/meetings/{meeting_id}/minutes", headers=member)
    assert minutes.status_code == 200 and "草稿" in minutes.text
    assert "海沧区住房和建设局" in minutes.text and "错时开放辖区单位停车场" in minutes.text
    assert "缺席（外出学习）" in minutes.text
    ok(http.post(f"/api/v1/meetings/{meeting_id}/minutes/confirmation", headers=secretary,
                 json={}))
    meeting_at(http, secretary, meeting_id, status="closed")
    assert "草稿" not in http.get(f"/api/v1/meetings/{meeting_id}/minutes",
                                  headers=member).text
    wait_for(lambda: prefect_call("GET", f"{stack['prefect']}/flow_runs/{run_id}").json()
             ["state"]["type"] == "COMPLETED", "the meeting's run to complete", timeout=60)

    owner = as_user("officer-housing-construction")
    follow_up = wait_for(lambda: [i for i in http.get("/api/v1/work-items", headers=owner, params={
        "candidate_group": "department:housing-construction", "status": "open"}).json()
        if i["case_id"] == lift_r["case_id"]], "the owner's work item")[0]
    assert follow_up["due_on"] == "2026-06-22"
    assert http.get(f"/api/v1/resolutions/{parking_r['id']}", headers=owner).status_code == 404
    ok(http.post(f"/api/v1/resolutions/{lift_r['id']}/progress", headers=owner,
                 json={"percent": 40, "note": "设计方案已完成"}))
    ok(http.post(f"/api/v1/resolutions/{lift_r['id']}/completion", headers=owner,
                 json={"result": "方案已审查并公示，开工许可已发放"}))
    closed = ok(http.post(f"/api/v1/resolutions/{lift_r['id']}/confirmation",
                          headers=secretary, json={"accepted": True, "note": "现场核实"}))
    assert closed["status"] == "closed" and closed["percent"] == 100
    assert [e["stage"] for e in closed["timeline"]] == [
        "assigned", "accepted", "reported", "completed", "closed"]

    for _ in range(2):  # three working days after the deadline, twice: each level once
        state = run_deployment(stack["prefect"], "deadline-sweep/every-10-minutes",
                               {"as_of": "2026-06-15"})
        assert state["type"] == "COMPLETED", state
    late = ok(http.get("/api/v1/resolutions", headers=as_user("auditor"), params={
        "overdue": "true", "as_of": "2026-06-15"}))["items"]
    assert [r["id"] for r in late] == [parking_r["id"]]
    assert late[0]["escalations"] == 3 and late[0]["stage_zh"] == "交办"
    body = ok(http.get(f"/api/v1/bodies/{BODY}", headers=secretary))
    assert [r["id"] for r in body["open_resolutions"]] == [parking_r["id"]]
    assert http.post(f"/api/v1/meetings/{meeting_id}/matters", headers=as_user("auditor"),
                     json={"title": "审计", "detail": "x"}).status_code == 404
