"""A community joint meeting (QL-10a/b/c) through the HTTP API on a real Prefect server and
worker: the body's scheduled deployment convenes it, a member submits a matter, the secretary
finalises the agenda, records the meeting with two resolutions and confirms the minutes; one
resolution is closed by its owner and confirmed, the other goes overdue and is escalated.
Then a year of the whole district's meetings from their schedules (below)."""

from datetime import date, datetime, time, timedelta, timezone
from time import monotonic, sleep

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.e2e.conftest import get_ok, prefect_call, run_deployment, stack_db, wait_for

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


# A year for the whole district. The module's clock stands on 5 June 2026 (above); the year
# is 2025, every slot of it in the past, so the worker executes each run Prefect creates
# from the body's schedule at once, and each run convenes the period of its slot
# (flows/engine/runtime.run_day), as it would after an outage or in a backfill.
YEAR = 2025
CST = timezone(timedelta(hours=8))
MISSED = ("songyu-haifa", "2025-08")  # this community meeting is deliberately not held
CARRIER = "dongfu-tianzhu"  # its January resolution is left open
CRASHED = ("xinyang-xianglu", "2025-03")  # its run is lost (Crashed) before it is held


def schedule(stack, start: date, end: date) -> None:
    """Prefect's scheduler service, asked for the window: every body's deployment gets the
    runs of its cron schedule in [start, end) (POST /deployments/{id}/schedule; without a
    high `min_runs` it stops after the first run, and `govflow up` sets the scheduler's
    `max_runs` to 5)."""
    deployments = wait_for(lambda: (found := prefect_call(
        "POST", f"{stack['prefect']}/deployments/filter", json={
            "flows": {"name": {"any_": ["joint-meeting"]}}, "limit": 200}).json())
        and len(found) == 21 and found, "the bodies' deployments", timeout=90)
    for d in deployments:  # again while the server is busy: the runs' keys make it once
        wait_for(lambda d=d: prefect_call(
            "POST", f"{stack['prefect']}/deployments/{d['id']}/schedule", json={
                "start_time": _at(start), "end_time": _at(end), "min_runs": 100,
                "max_runs": 100}).status_code in (200, 201), "the runs scheduled", timeout=120)


def _at(day: date) -> str:
    return datetime.combine(day, time(0), CST).isoformat()


def meetings_of(stack, periods: set[str]) -> dict[tuple[str, str], dict]:
    from services.meetings.models import Meeting

    db = stack_db(stack)
    try:
        with db.reading() as uow:
            return {(m.body_code, m.period): {"id": m.id, "level": m.level,
                                              "convened_on": m.convened_on,
                                              "case_id": m.case_id,
                                              "status": m.status}
                    for m in uow.session.scalars(select(Meeting).where(
                        Meeting.period.in_(periods)))}
    finally:
        db.dispose()


def convened(stack, periods: set[str], expected: int) -> dict[tuple[str, str], dict]:
    return wait_for(lambda: (found := meetings_of(stack, periods)) and len(found) == expected
                    and found, f"{expected} meetings convened", timeout=240)


def submit_matters(stack, found: dict[tuple[str, str], dict]) -> None:
    """Each body's secretary submits one matter in the window, on the day of convening (the
    API's clock stands on the module's day, after the window: the service takes the day)."""
    from policies.access import Actor, Role
    from services.meetings import meetings
    from services.meetings.bodies import bodies
    from services.meetings.schemas import MatterCreate

    db = stack_db(stack)
    try:
        for (code, period), m in found.items():
            actor = Actor(username=f"secretary-{code}", role=Role.SECRETARY, org_unit=code)
            meetings.submit_matter(db, bodies()[code], actor, m["id"], MatterCreate(
                title=f"{period}重点工作", detail="辖区共建项目推进情况。"), m["convened_on"])
    finally:
        db.dispose()


def hold(http, as_user, found: dict[tuple[str, str], dict], *, short: str | None = None,
         keep: int | None = None) -> None:
    """Each body's secretary finalises the agenda (the matter, and the resolution `keep` if
    carried; anything else dropped with a reason) and records the meeting: every member
    present, one resolution per item (a short deadline for the body `short`). The meetings
    go side by side: each round, the secretaries' queues say which steps are open."""
    steps = {m["case_id"]: (code, m["id"], "agenda") for (code, _), m in found.items()}
    detail: dict[int, dict] = {}
    deadline = monotonic() + 900
    while steps and monotonic() < deadline:
        for code in {code for code, _, _ in steps.values()}:
            headers = as_user(f"secretary-{code}")
            for item in http.get("/api/v1/work-items", headers=headers, params={
                    "candidate_group": f"org:{code}", "status": "open", "limit": 100}).json():
                _, mid, step = steps.get(item["case_id"], (None, None, None))
                if step != item["step"]:
                    continue
                if mid not in detail:
                    detail[mid] = http.get(f"/api/v1/meetings/{mid}", headers=headers).json()
                ok(http.post(f"/api/v1/meetings/{mid}/{step}", headers=headers,
                             json=_step(detail[mid], step, code == short, keep)))
                if step == "agenda":
                    steps[item["case_id"]] = (code, mid, "record")
                else:
                    del steps[item["case_id"]]
        sleep(0.5)
    assert not steps, f"{len(steps)} meetings not held: {sorted(steps.values())[:5]}"


def _step(m: dict, step: str, short: bool, keep: int | None) -> dict:
    kept = [i for i in m["agenda"] if i["source"] == "matter" or (
        keep is not None and i.get("resolution_id") == keep)]
    if step == "agenda":
        return {"order": [{"item_id": i["id"]} for i in kept],
                "dropped": [{"item_id": i["id"], "reason": "已另行督办"}
                            for i in m["agenda"] if i not in kept]}
    return {"held_on": m["convened_on"], "place": "党群服务中心",
            "attendance": [{"person": i["person"], "status": "present"}
                           for i in m["invitations"] if i["kind"] != "registered-leader"],
            "resolutions": [{"agenda_item_id": i["id"], "kind": "推进措施", "owner": "transport",
                             "text": f"落实：{i['title']}", "working_days": 3 if short else 120}
                            for i in kept]}


def run_of(stack, case_id: int) -> str:
    from services.work.models import Case

    db = stack_db(stack)
    try:
        with db.reading() as uow:
            return uow.session.get(Case, case_id).flow_run_id
    finally:
        db.dispose()


def reconcile_after_crash(stack, case_id: int) -> str:
    """A worker killed under a run leaves it Running until Prefect's heartbeat automation
    marks it Crashed, a final state: here the run waiting for the agenda is marked so at
    once. The reconciler starts the meeting's run again (details.rerun: its body and day);
    returns the lost run's id."""
    prefect = stack["prefect"]
    lost = run_of(stack, case_id)
    wait_for(lambda: prefect_call("GET", f"{prefect}/flow_runs/{lost}").json()["state"]["type"]
             == "PAUSED", "the meeting's run to wait for its agenda", timeout=120)
    crashed = prefect_call("POST", f"{prefect}/flow_runs/{lost}/set_state", json={
        "state": {"type": "CRASHED", "message": "the worker was killed"}, "force": True})
    assert crashed.status_code in (200, 201), crashed.text
    assert run_deployment(prefect, "reconcile/every-2-minutes")["type"] == "COMPLETED"
    new = wait_for(lambda: (run := run_of(stack, case_id)) != lost and run,
                   "the meeting's new run", timeout=60)
    again = prefect_call("GET", f"{prefect}/flow_runs/{new}").json()
    assert again["parameters"]["body"] == CRASHED[0]
    return lost


def test_a_year_of_the_district_s_meetings_from_their_schedules(stack, http, as_user):
    auditor = as_user("auditor")
    january = {f"{YEAR}-01", f"{YEAR}-Q1"}
    schedule(stack, date(YEAR, 1, 1), date(YEAR, 2, 1))
    first = convened(stack, january, 21)
    assert {m["convened_on"] for m in first.values()} == {date(YEAR, 1, 5)}
    submit_matters(stack, first)
    hold(http, as_user, first, short=CARRIER)
    carried = wait_for(lambda: ok(http.get("/api/v1/resolutions", headers=auditor, params={
        "body": CARRIER, "overdue": "true", "as_of": f"{YEAR}-01-20"}))["items"],
        "the January resolution, recorded by the meeting's run", timeout=120)
    assert len(carried) == 1 and carried[0]["deadline"] == f"{YEAR}-01-08"
    meeting_at(http, auditor, carried[0]["meeting_id"], step="minutes")  # follow-up opened
    for _ in range(2):  # a week past the deadline, twice: each level once
        state = run_deployment(stack["prefect"], "deadline-sweep/every-10-minutes",
                               {"as_of": f"{YEAR}-01-20"})
        assert state["type"] == "COMPLETED", state
    escalated = ok(http.get(f"/api/v1/resolutions/{carried[0]['id']}", headers=auditor))
    assert escalated["escalations"] == 3 and escalated["status"] == "assigned"

    periods = {f"{YEAR}-{m:02d}" for m in range(1, 13)} | {f"{YEAR}-Q{q}" for q in range(1, 5)}
    schedule(stack, date(YEAR, 2, 1), date(YEAR + 1, 1, 1))
    year = convened(stack, periods, 212)
    levels = [m["level"] for m in year.values()]
    assert (levels.count("district"), levels.count("street"), levels.count("community")) == (
        4, 16, 192)
    february = ok(http.get(f"/api/v1/meetings/{year[(CARRIER, f'{YEAR}-02')]['id']}",
                           headers=auditor))
    assert [i["resolution_id"] for i in february["agenda"]
            if i["source"] == "carried-resolution"] == [carried[0]["id"]]

    lost = reconcile_after_crash(stack, year[CRASHED]["case_id"])
    rest = {k: m for k, m in year.items() if k not in first and k != MISSED}
    submit_matters(stack, rest)
    hold(http, as_user, rest, keep=carried[0]["id"])
    wait_for(lambda: sum(m["status"] == "held" for m in meetings_of(stack, periods).values())
             == 211, "every meeting but one recorded by its run", timeout=300)
    assert meetings_of(stack, {CRASHED[1]})[CRASHED]["id"] == year[CRASHED]["id"]
    assert run_of(stack, year[CRASHED]["case_id"]) != lost  # held by the new run

    for _ in range(2):  # the sweep over the year, twice: the finding is recorded once
        state = run_deployment(stack["prefect"], "meeting-compliance/daily", {
            "as_of": f"{YEAR + 1}-01-01", "since": f"{YEAR}-01-01"})
        assert state["type"] == "COMPLETED", state
    board = ok(http.get("/api/v1/dashboard/meetings", headers=auditor))
    rows = [r for r in board["rows"] if r["period"] in periods]
    assert len(rows) == 212
    assert [(r["body_code"], r["period"]) for r in rows if r["finding"]] == [MISSED]
    assert sum(r["held_on"] is not None for r in rows) == 211
