"""Three months of 双报到 for the article-size district on a real Prefect server and worker:
the spreadsheets imported with the command, the scheduled deployment run with the clock on the
20th (December; January and February run by month). Each month's draft waits for the district's
secretary in a plan-review work item; December's is sent back for a re-plan with a closed
morning, solved again and asked again, then published. Sign-in lists for a sample of
activities, and compliance naming exactly the unit and the members the test made absent. A
member signs in and reads its own hours; another member's answer 404. The rotation history
carries from one month to the next. January's run is lost while it waits for the review; the
reconciler starts it again on the same planning case and draft."""

import pytest
from sqlalchemy import select

from services.volunteering import importer, reference
from services.work.models import Case
from tests.e2e.conftest import get_ok, govflow, prefect_call, run_deployment, stack_db, wait_for

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-11-20"}  # the 20th: the flow plans December
HAICANG = "haicang-street-haicang"
COMMUNITIES = {"2026-12": HAICANG, "2027-01": "haicang-street-wencuo",
               "2027-02": "haicang-street-dongyu"}
CLOSED = "2026-12-12-am"  # December's re-plan: a community event takes that Saturday morning
PLANNER_PASSWORD = "planner-e2e-password"
MEMBER_PASSWORD = "member-e2e-password"


@pytest.fixture(scope="module")
def district(stack):
    district = reference.generated_district(195, 5837, 16)
    units, members = stack["workdir"] / "units.xlsx", stack["workdir"] / "members.xlsx"
    importer.write_workbooks(district, units, members)
    imported = govflow(stack, "volunteers", "import", str(units), str(members))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "195 units" in imported.stdout and "5837 members" in imported.stdout
    return district


@pytest.fixture(scope="module")
def planner(stack, http):
    """The district's secretary for volunteering, in the group of the plan-review step."""
    created = govflow(stack, "users", "create", "planner-haicang", "secretary", "--name",
                      "区委组织部志愿服务", "--org-unit", "haicang",
                      "--password", PLANNER_PASSWORD)
    assert created.returncode == 0, created.stderr
    return sign_in(http, "planner-haicang", PLANNER_PASSWORD)


def sign_in(http, username: str, password: str) -> dict[str, str]:
    token = http.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": "Bearer " + token.json()["access_token"]}


def start_run(prefect: str, parameters: dict) -> str:
    deployment = wait_for(lambda: get_ok(f"{prefect}/deployments/name/volunteer-month-plan/"
                                         "monthly"), "the monthly deployment", timeout=60)
    created = prefect_call("POST", f"{prefect}/deployments/{deployment.json()['id']}"
                           "/create_flow_run", json={"parameters": parameters})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def draft_for_review(http, planner, month: str, attempt: int) -> dict:
    def drafted():
        plan = http.get(f"/api/v1/volunteering/plans/{month}", headers=planner)
        return plan.status_code == 200 and plan.json()["attempt"] == attempt and plan.json()
    return wait_for(drafted, f"draft {attempt} of {month}", timeout=120)


def review(http, planner, plan_id: int, decision: dict) -> dict:
    def decided():
        answer = http.post(f"/api/v1/volunteering/plans/{plan_id}/review", headers=planner,
                           json=decision)
        return answer if answer.status_code != 409 else None  # the step not open yet
    answer = wait_for(decided, f"the review of plan {plan_id}", timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def run_lost_and_redriven(stack, run: str, month: str) -> str:
    """A worker killed under the run waiting for the review leaves it to be marked Crashed;
    here it is marked so at once. The reconciler starts it again for the same planning case
    (its details' rerun); returns the new run."""
    prefect = stack["prefect"]
    wait_for(lambda: prefect_call("GET", f"{prefect}/flow_runs/{run}").json()["state"]["type"]
             == "PAUSED", f"the {month} run to wait for the review", timeout=120)
    crashed = prefect_call("POST", f"{prefect}/flow_runs/{run}/set_state", json={
        "state": {"type": "CRASHED", "message": "the worker was killed"}, "force": True})
    assert crashed.status_code in (200, 201), crashed.text
    assert run_deployment(prefect, "reconcile/every-2-minutes")["type"] == "COMPLETED"
    new = wait_for(lambda: (found := planning_run(stack, month)) != run and found,
                   f"the {month} run started again", timeout=60)
    assert prefect_call("GET", f"{prefect}/flow_runs/{new}").json()["parameters"][
        "month"] == month
    return new


def planning_run(stack, month: str) -> str | None:
    with stack_db(stack).reading() as uow:
        return uow.session.scalar(select(Case.flow_run_id).where(
            Case.process == "volunteer-plan", Case.details["month"].as_string() == month))


def reviewed_and_published(stack, http, planner, month: str) -> dict:
    run = start_run(stack["prefect"], {} if month == "2026-12" else {"month": month})
    draft = draft_for_review(http, planner, month, 1)
    assert draft["status"] == "draft" and draft["rules_hold"], draft
    if month == "2027-01":
        run = run_lost_and_redriven(stack, run, month)
        # The new run took over the case and its draft: nothing solved again, nothing lost.
        assert draft_for_review(http, planner, month, 1)["id"] == draft["id"]
    if month == "2026-12":
        item = review(http, planner, draft["id"], {"outcome": "replan", "closed": [CLOSED]})
        assert item["step"] == "plan-review" and item["status"] == "completed"
        draft = draft_for_review(http, planner, month, 2)
        assert draft["changes"]["closed"] == [CLOSED] and draft["rules_hold"], draft
    item = review(http, planner, draft["id"], {"outcome": "publish"})
    assert item["decision"]["content"]["outcome"] == "publish"
    wait_for(lambda: prefect_call("GET", f"{stack['prefect']}/flow_runs/{run}").json()
             ["state"]["type"] == "COMPLETED", f"the {month} run to end", timeout=120)
    return http.get(f"/api/v1/volunteering/plans/{month}", headers=planner).json()


@pytest.mark.parametrize("month", list(COMMUNITIES))
def test_each_month_is_reviewed_published_signed_and_checked(stack, http, as_user, district,
                                                             planner, month):
    plan = reviewed_and_published(stack, http, planner, month)
    assert plan["status"] == "published" and plan["rules_hold"], plan
    assert plan["planned"] == 5837 and plan["uncovered"] == {}
    assert rotation_history(stack) > 0  # unpopular slots received count into the next month

    community = COMMUNITIES[month]
    secretary = as_user(f"secretary-{community}")
    roster = http.get(f"/api/v1/volunteering/communities/{community}/roster/{month}",
                      headers=secretary).json()
    assert not any(a["slot"] == CLOSED for a in roster)
    hosted = next(a for a in roster if a["host"])
    unit = hosted["host"]
    unit_of = {m.code: m.unit for m in district.members}
    absent = {m["member"] for m in hosted["members"] if unit_of[m["member"]] == unit}
    sample = [hosted] + [a for a in roster if a is not hosted][:4]
    absent.add(sample[1]["members"][0]["member"])
    for activity in sample:
        present = [m["member"] for m in activity["members"] if m["member"] not in absent]
        signed = http.post(f"/api/v1/volunteering/activities/{activity['activity']}/attendance",
                           headers=secretary, json={"month": month, "present": present})
        assert signed.status_code == 200, signed.text

    admin = as_user("admin")
    report = http.get(f"/api/v1/volunteering/compliance/{month}", headers=admin).json()
    absent_members = {f["subject"] for f in report["findings"]
                      if f["clause"] == "QL-11b" and f["reason_zh"].startswith("缺席")}
    assert absent_members == absent
    units_absent = {f["subject"] for f in report["findings"] if f["clause"] == "QL-11a"
                    and "签到表未录入" not in f["reason_zh"]}
    assert units_absent == {unit}
    came = next(m["member"] for m in sample[1]["members"] if m["member"] not in absent)
    hours = http.get(f"/api/v1/volunteering/members/{came}/hours", headers=admin).json()
    assert {"activity": sample[1]["activity"], "month": month, "hours": 2} in hours["lines"]
    if month == "2026-12":
        a_member_reads_only_its_own(http, secretary, came, sample[1], next(iter(absent)))


def rotation_history(stack) -> int:
    from sqlalchemy import func, select

    from services.volunteering.models import VolunteerMember

    db = stack_db(stack)
    try:
        with db.reading() as uow:
            return uow.session.scalar(select(func.sum(VolunteerMember.history)))
    finally:
        db.dispose()


def a_member_reads_only_its_own(http, secretary, member: str, activity: dict, other: str):
    opened = http.post(f"/api/v1/volunteering/members/{member}/account", headers=secretary,
                       json={"password": MEMBER_PASSWORD})
    assert opened.status_code == 201, opened.text
    me = sign_in(http, opened.json()["username"], MEMBER_PASSWORD)
    mine = http.get(f"/api/v1/volunteering/members/{member}/activities/2026-12", headers=me)
    assert any(a["activity"] == activity["activity"] and a["attended"] for a in mine.json())
    hours = http.get(f"/api/v1/volunteering/members/{member}/hours", headers=me).json()
    assert {"activity": activity["activity"], "month": "2026-12", "hours": 2} in hours["lines"]
    assert http.get(f"/api/v1/volunteering/members/{other}/hours",
                    headers=me).status_code == 404
    assert http.get("/api/v1/work-items", headers=me).status_code == 403
