"""The yearly happy-community assessment (LK-02) on a real Prefect server and worker, on a
controlled clock: two years of the district's records made through the grid loop's, the
micro-wishes', the work layer's and (March 2027) the volunteer plan's own use cases; a run of
the yearly deployment on 10 January 2028 assesses 2027 (the year before); the ranking, the rank
changes and the award candidates are checked against figures computed by hand below; the
district confirms the awards through its work item and the flow publishes them at 20,000 yuan
each; April's popularity index of the centres counts the wishes posted in their communities,
March's the volunteer activities held."""

import pytest

from tests.e2e.assessment.seed import seed_year, volunteering_month
from tests.e2e.conftest import get_ok, govflow, prefect_call, stack_db, wait_for

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2028-01-10"}  # the schedule's day: the assessment of 2027
DISTRICT_PASSWORD = "district-e2e-password"
H, W, D, S, X = ("haicang-street-haicang", "haicang-street-wencuo", "haicang-street-dongyu",
                 "haicang-street-shitang", "songyu-haixiang")  # 海沧 温厝 东屿 石塘 海翔

# community → (its two grid issues: closed on time, late, or late and escalated past the
# deadline; wishes fulfilled of the two posted)
PLAN = {
    2026: {H: (["on-time", "on-time"], 2), W: (["on-time", "on-time"], 1),
           D: (["on-time", "late"], 2), S: (["on-time", "escalated"], 1),
           X: (["escalated", "escalated"], 1)},
    2027: {S: (["on-time", "on-time"], 2), H: (["on-time", "on-time"], 1),
           X: (["on-time", "late"], 2), W: (["on-time", "escalated"], 1),
           D: (["escalated", "escalated"], 1)},
}
# March 2027's volunteer plan: one unit paired with each community, two of its members living
# there; the sign-in lists show every unit's activity held with both members, except 东屿's.
VOLUNTEERING = {"month": "2027-03", "held": [H, W, S, X], "not_held": [D]}
# By hand (weights of policies/assessment/data/assessment.yaml). Indicators with records:
# on-time closure G (0.15), satisfaction (0.10; every issue rated satisfied: 100 %), wishes
# fulfilled F (0.10), escalated share E (0.05, lower is better; 4 cases each: 2 issues,
# 2 wishes), the whistle rate (0.05; no issue whistled: 0 % is below the whistle's 2–30 %
# band, 0 points) and, in 2027, the units' activities held V (0.10) and members served V
# (0.05) — both 100 % or both 0 %. Applicable weights sum to 0.45 in 2026, 0.60 in 2027:
#   score = 100 / Σw × (0.15·G + 0.10 + 0.10·F + 0.05·(1 − E) + 0 [+ 0.15·V]).
# 2026 (÷ 0.45): 海沧 G1 F1 E0 → 0.40 = 88.89 (1); 温厝 G1 F.5 E0 → 0.35 = 77.78 (2);
#   东屿 G.5 F1 E0 → 0.325 = 72.22 (3); 石塘 G.5 F.5 E.25 → 0.2625 = 58.33 (4);
#   海翔 G0 F.5 E.5 → 0.175 = 38.89 (5).
# 2027 (÷ 0.60): 石塘 0.40 + 0.15 = 91.67; 海沧 0.35 + 0.15 = 83.33; 海翔 0.325 + 0.15 = 79.17;
#   温厝 0.2625 + 0.15 = 68.75; 东屿 0.175 + 0 = 29.17 (its unit's activity not held).
EXPECTED_2027 = [  # community, score, rank, last year's rank, places risen
    (S, 91.67, 1, 4, 3),    # rose 3: the data's threshold (3) → candidate
    (H, 83.33, 2, 1, -1),
    (X, 79.17, 3, 5, 2),    # rose 2: below the threshold; a key task named for 2027 → candidate
    (W, 68.75, 4, 2, -2),
    (D, 29.17, 5, 3, -2),
]


def test_the_scheduled_assessment_ranks_compares_and_awards(stack, http, as_user):
    db = stack_db(stack)
    try:
        for year, plan in PLAN.items():
            seed_year(db, year, plan)
        volunteering_month(db, stack["workdir"], **VOLUNTEERING)
    finally:
        db.dispose()
    created = govflow(stack, "users", "create", "district-haicang", "secretary", "--name",
                      "区委组织部", "--org-unit", "haicang", "--password", DISTRICT_PASSWORD)
    assert created.returncode == 0, created.stderr
    district = {"Authorization": "Bearer " + http.post("/api/v1/auth/token", data={
        "username": "district-haicang", "password": DISTRICT_PASSWORD}).json()["access_token"]}
    auditor = as_user("auditor")

    deployment = wait_for(lambda: get_ok(f"{stack['prefect']}/deployments/name/"
                                         "assessment/yearly"), "the yearly deployment").json()
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 9 10 1 *"
    run = prefect_call("POST", f"{stack['prefect']}/deployments/{deployment['id']}"
                       "/create_flow_run", json={})
    assert run.status_code == 201, run.text
    found = wait_for(lambda: (r := http.get("/api/v1/assessment/2027", headers=auditor)
                              ).status_code == 200 and r.json(), "the assessment", timeout=90)

    assert found["previous_source"] == "computed"  # 2026 was never assessed: from its records
    ranked = [(e["community"], e["score"], e["rank"], e["previous_rank"], e["change"])
              for e in found["ranking"] if e["rank"] is not None]
    assert ranked == EXPECTED_2027
    assert all(e["score"] is None for e in found["ranking"] if e["rank"] is None)
    wencuo = next(e for e in found["ranking"] if e["community"] == W)
    shown = {i["code"]: (i["part"], i["whole"]) for i in wencuo["indicators"]}
    assert (shown["grid_resolved_on_time"], shown["wishes_fulfilled"],
            shown["escalated_share"], shown["whistle_rate"]) == ((1, 2), (1, 2), (1, 4), (0, 2))
    dongyu = next(e for e in found["ranking"] if e["community"] == D)
    shown = {i["code"]: (i["part"], i["whole"]) for i in dongyu["indicators"]}
    assert (shown["volunteer_units_held"], shown["volunteer_members_served"]) == ((0, 1), (0, 2))
    candidates = {a["community"]: a for a in found["awards"]}
    assert set(candidates) == {S, X} and found["status"] == "awaiting-confirmation"
    assert candidates[S]["reasons"][0].startswith("位次前移3位")
    assert candidates[X]["reasons"][0].startswith("高质高效完成重点任务")

    def confirm():
        answer = http.post("/api/v1/assessment/2027/awards/confirmation", headers=district,
                           json={"confirmed": [S, X]})
        return answer if answer.status_code != 409 else None  # the step not open yet

    assert wait_for(confirm, "the confirmation step").status_code == 200
    published = wait_for(lambda: (a := http.get("/api/v1/assessment/2027", headers=auditor)
                                  .json())["status"] == "published" and a, "publication",
                         timeout=90)
    assert {(a["community"], a["status"], a["amount_yuan"]) for a in published["awards"]} == {
        (S, "confirmed", 20000), (X, "confirmed", 20000)}
    centres = http.get("/api/v1/assessment/centres", params={"month": "2027-04"},
                       headers=auditor).json()["centres"]  # two wishes posted in each
    assert [(c["centre"], c["index"]) for c in centres[:5]] == [
        (s, 4) for s in ("st-05", "st-06", "st-07", "st-08", "st-15")]  # 2 × 2 each
    assert centres[5]["index"] == 0  # no one else was used that month
    march = http.get("/api/v1/assessment/centres", params={"month": "2027-03"},
                     headers=auditor).json()["centres"]  # one activity held: 3 points each
    assert [(c["centre"], c["index"]) for c in march[:4]] == [
        (s, 3) for s in ("st-05", "st-06", "st-08", "st-15")]  # not 东屿's st-07
    assert march[4]["index"] == 0
    report = http.get("/api/v1/assessment/2027/report", headers=auditor)
    assert report.status_code == 200 and "石塘社区" in report.text and "20000" in report.text
    wait_for(lambda: prefect_call("GET", f"{stack['prefect']}/flow_runs/{run.json()['id']}"
                                  ).json()["state"]["type"] == "COMPLETED", "the run to end")
