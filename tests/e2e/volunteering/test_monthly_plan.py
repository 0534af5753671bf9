"""Three months of 双报到 for the article-size district on a real Prefect server and worker:
the spreadsheets imported with the command, the scheduled deployment run with the clock on the
20th (December; January and February run by month), each plan published, sign-in lists for a
sample of activities, and compliance naming exactly the unit and the members the test made
absent. The rotation history carries from one month to the next."""

import pytest

from services.volunteering import importer, reference
from tests.e2e.conftest import govflow, run_deployment

pytestmark = pytest.mark.e2e
STACK_ENV = {"GOVFLOW_TODAY": "2026-11-20"}  # the 20th: the flow plans December
HAICANG = "haicang-street-haicang"
COMMUNITIES = {"2026-12": HAICANG, "2027-01": "haicang-street-wencuo",
               "2027-02": "haicang-street-dongyu"}


@pytest.fixture(scope="module")
def district(stack):
    district = reference.generated_district(195, 5837, 16)
    units, members = stack["workdir"] / "units.xlsx", stack["workdir"] / "members.xlsx"
    importer.write_workbooks(district, units, members)
    imported = govflow(stack, "volunteers", "import", str(units), str(members))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "195 units" in imported.stdout and "5837 members" in imported.stdout
    return district


@pytest.mark.parametrize("month", list(COMMUNITIES))
def test_each_month_is_planned_published_signed_and_checked(stack, http, as_user, district,
                                                            month):
    parameters = {} if month == "2026-12" else {"month": month}  # December from the clock
    state = run_deployment(stack["prefect"], "volunteer-month-plan/monthly", parameters)
    assert state["type"] == "COMPLETED", state
    admin = as_user("admin")
    plan = http.get(f"/api/v1/volunteering/plans/{month}", headers=admin).json()
    assert plan["status"] == "published" and plan["rules_hold"], plan
    assert plan["planned"] == 5837 and plan["uncovered"] == {}

    community = COMMUNITIES[month]
    secretary = as_user(f"secretary-{community}")
    roster = http.get(f"/api/v1/volunteering/communities/{community}/roster/{month}",
                      headers=secretary).json()
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
