"""The volunteering API as the district, a street and a community see it: plan, publish,
rosters, a member's activities and hours, sign-in, compliance; out of scope answers 404."""

from datetime import date

import pytest

from policies.access import Actor, Role
from services.platform import identity
from services.platform.identity import UserCreate
from services.volunteering import importer, plans, reference, review
from services.work import work_items
from tests.conftest import DEMO_PASSWORD

MONTH = "2027-03"
HAICANG = "haicang-street-haicang"
WENCUO = "haicang-street-wencuo"


@pytest.fixture(scope="module")
def published(client, login, db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-volunteers")
    district = reference.generated_district(8, 160, 2, seed=11)
    importer.write_workbooks(district, folder / "u.xlsx", folder / "m.xlsx")
    names = {n: c for c, n, _ in reference.district_communities()}
    importer.import_spreadsheets(db, Actor(username="admin", role=Role.ADMIN),
                                 folder / "u.xlsx", folder / "m.xlsx", names)
    admin = login("admin")
    drafted = client.post(f"/api/v1/volunteering/plans/{MONTH}/draft", headers=admin,
                          json={"closed": ["2027-03-06-am"]})
    assert drafted.status_code == 201, drafted.text
    done = client.post(f"/api/v1/volunteering/plans/{drafted.json()['id']}/publish",
                       headers=admin)
    assert done.status_code == 200
    return {"plan": done.json(), "district": district}


def test_the_published_plan_says_how_good_it_is(published):
    plan = published["plan"]
    assert plan["status"] == "published" and plan["rules_hold"]
    assert plan["planned"] >= 160 and plan["uncovered"] == {}
    assert 0 <= plan["gap"] < 1 and plan["lower_bound"] <= plan["objective"]


def test_a_bad_month_is_refused_naming_the_field(client, login):
    answer = client.post("/api/v1/volunteering/plans/2027-13/draft", headers=login("admin"),
                         json={})
    assert answer.status_code == 422
    assert "month" in answer.text


def test_a_community_secretary_may_not_plan_the_district(client, login):
    answer = client.post(f"/api/v1/volunteering/plans/{MONTH}/draft",
                         headers=login(f"secretary-{HAICANG}"), json={})
    assert answer.status_code == 403


def test_a_community_sees_its_roster_and_not_its_neighbours(client, login, published):
    haicang = login(f"secretary-{HAICANG}")
    mine = client.get(f"/api/v1/volunteering/communities/{HAICANG}/roster/{MONTH}",
                      headers=haicang)
    assert mine.status_code == 200 and mine.json()
    assert all(not a["slot"].startswith("2027-03-06-am") for a in mine.json())
    other = client.get(f"/api/v1/volunteering/communities/{WENCUO}/roster/{MONTH}",
                       headers=haicang)
    assert other.status_code == 404


def test_sign_in_credits_hours_and_compliance_names_the_absent(client, login, published):
    haicang = login(f"secretary-{HAICANG}")
    roster = client.get(f"/api/v1/volunteering/communities/{HAICANG}/roster/{MONTH}",
                        headers=haicang).json()
    activity = roster[0]
    people = [m["member"] for m in activity["members"]]
    present, absent = people[1:], people[0]
    signed = client.post(f"/api/v1/volunteering/activities/{activity['activity']}/attendance",
                         headers=haicang, json={"month": MONTH, "present": present})
    assert signed.status_code == 200 and signed.json() == {"present": len(present), "absent": 1}
    street = login("secretary-haicang-street")
    hours = client.get(f"/api/v1/volunteering/members/{present[0]}/hours", headers=street)
    assert hours.status_code == 200 and hours.json()["total"] >= 2
    mine = client.get(f"/api/v1/volunteering/members/{absent}/activities/{MONTH}",
                      headers=street)
    assert any(a["activity"] == activity["activity"] and a["attended"] is False
               for a in mine.json())
    report = client.get(f"/api/v1/volunteering/compliance/{MONTH}", headers=street).json()
    named = {f["subject"]: f["reason_zh"] for f in report["findings"] if f["clause"] == "QL-11b"}
    assert named[absent].startswith("缺席")


def test_a_member_outside_the_community_answers_404(client, login, published):
    district = published["district"]
    paired = {u.code: u.community for u in district.units}
    outsider = next(m for m in district.members
                    if m.home == WENCUO and paired[m.unit] == WENCUO)
    answer = client.get(f"/api/v1/volunteering/members/{outsider.code}/hours",
                        headers=login(f"secretary-{HAICANG}"))
    assert answer.status_code == 404


def test_a_decline_moves_only_that_member_and_the_card_counts_the_quarter(client, login,
                                                                         published):
    street = login("secretary-haicang-street")
    roster = client.get(f"/api/v1/volunteering/communities/{HAICANG}/roster/{MONTH}",
                        headers=street).json()
    activity = roster[-1]
    member = activity["members"][-1]["member"]
    before = {m["member"] for m in activity["members"]} - {member}
    answer = client.post(f"/api/v1/volunteering/members/{member}/declines", headers=street,
                         json={"month": MONTH, "activity": activity["activity"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["now"] and activity["activity"] not in answer.json()["now"]
    after = client.get(f"/api/v1/volunteering/communities/{HAICANG}/roster/{MONTH}",
                       headers=street).json()
    same = next(a for a in after if a["activity"] == activity["activity"])
    now = {m["member"] for m in same["members"]}
    assert before <= now and member not in now  # a gap may be filled by a member asking for two
    card = client.get(f"/api/v1/volunteering/members/{member}/card/2027-Q1", headers=street)
    assert card.status_code == 200 and card.json()["quarter"] == "2027-Q1"
    bad = client.get(f"/api/v1/volunteering/members/{member}/card/2027-Q5", headers=street)
    assert bad.status_code == 422


# the secretary's review of the monthly flow's draft -----------------------------------------

REVIEWED = "2027-04"


@pytest.fixture(scope="module")
def planner(db, published) -> str:
    """The district's secretary for volunteering: the group of the plan-review step."""
    identity.create_user(db, Actor(username="admin", role=Role.ADMIN), UserCreate(
        username="planner-api-volunteering", full_name="区委组织部", password=DEMO_PASSWORD,
        role=Role.SECRETARY, org_unit=reference.district_code()))
    return "planner-api-volunteering"


@pytest.fixture(scope="module")
def under_review(db, published, planner, settings) -> dict:
    """What the monthly flow does before it waits: its case, round 1's draft, the work item."""
    case_id = review.open_case(db, REVIEWED, "api-test-run", date(2027, 3, 20))
    draft = plans.draft_plan(db, review.ACTOR, REVIEWED, review=(case_id, 1))
    work_items.open_item(db, review.review_spec(case_id, draft.__dict__, 1))
    return {"case_id": case_id, "plan_id": draft.id}


def test_the_flow_s_draft_is_published_only_through_its_review(client, login, under_review):
    admin = login("admin")
    plan_id = under_review["plan_id"]
    publish = client.post(f"/api/v1/volunteering/plans/{plan_id}/publish", headers=admin)
    assert publish.status_code == 409
    redraft = client.post(f"/api/v1/volunteering/plans/{REVIEWED}/draft", headers=admin,
                          json={})
    assert redraft.status_code == 409
    community = client.post(f"/api/v1/volunteering/plans/{plan_id}/review",
                            headers=login(f"secretary-{HAICANG}"), json={"outcome": "publish"})
    assert community.status_code == 403


@pytest.mark.parametrize(("decision", "field"), [
    ({"outcome": "replan"}, "capacities"),
    ({"outcome": "replan", "capacities": {"P9999x": 10}}, "capacities.P9999x"),
    ({"outcome": "replan", "closed": ["next saturday"]}, "closed.0"),
])
def test_a_re_plan_names_a_change_that_exists(client, login, planner, under_review, decision,
                                              field):
    answer = client.post(f"/api/v1/volunteering/plans/{under_review['plan_id']}/review",
                         headers=login(planner), json=decision)
    assert answer.status_code == 422 and field in answer.text


def test_a_re_plan_completes_the_review_item_with_the_changes(client, login, planner,
                                                              under_review):
    plan_id = under_review["plan_id"]
    decision = {"outcome": "replan", "closed": ["2027-04-10-am"], "note": "社区活动日"}
    answer = client.post(f"/api/v1/volunteering/plans/{plan_id}/review", headers=login(planner),
                         json=decision)
    assert answer.status_code == 200, answer.text
    item = answer.json()
    assert item["step"] == "plan-review" and item["status"] == "completed"
    assert item["decision"]["content"] == decision | {"capacities": {}}
    again = client.post(f"/api/v1/volunteering/plans/{plan_id}/review", headers=login(planner),
                        json={"outcome": "publish"})
    assert again.status_code == 409  # decided: the flow drafts round 2 and asks again


# members' own accounts ----------------------------------------------------------------------

def test_a_member_reads_its_own_plan_and_hours_declines_its_seat_and_sees_nobody_else(
        client, login, published):
    district = published["district"]
    haicang = login(f"secretary-{HAICANG}")
    me, other = [m.code for m in district.members if m.home == HAICANG][:2]
    opened = client.post(f"/api/v1/volunteering/members/{me}/account", headers=haicang,
                         json={"password": DEMO_PASSWORD})
    assert opened.status_code == 201, opened.text
    twice = client.post(f"/api/v1/volunteering/members/{me}/account", headers=haicang,
                        json={"password": DEMO_PASSWORD})
    assert twice.status_code == 409
    member = login(opened.json()["username"])
    mine = client.get(f"/api/v1/volunteering/members/{me}/activities/{MONTH}", headers=member)
    assert mine.status_code == 200 and mine.json()
    staff_view = client.get(f"/api/v1/volunteering/members/{me}/activities/{MONTH}",
                            headers=haicang)
    assert mine.json() == staff_view.json()
    assert client.get(f"/api/v1/volunteering/members/{me}/hours",
                      headers=member).json()["member"] == me
    for path in (f"members/{other}/hours", f"members/{other}/activities/{MONTH}",
                 f"members/{other}/card/2027-Q1", f"communities/{HAICANG}/roster/{MONTH}"):
        assert client.get(f"/api/v1/volunteering/{path}", headers=member).status_code in (
            403, 404), path
    assert client.get(f"/api/v1/volunteering/members/{other}/hours",
                      headers=member).status_code == 404
    assert client.get("/api/v1/work-items", headers=member).status_code == 403
    opens = client.post(f"/api/v1/volunteering/members/{other}/account", headers=member,
                        json={"password": DEMO_PASSWORD})
    assert opens.status_code in (403, 404)
    first = mine.json()[0]["activity"]
    declined = client.post(f"/api/v1/volunteering/members/{me}/declines", headers=member,
                           json={"month": MONTH, "activity": first})
    assert declined.status_code == 200, declined.text
    now = client.get(f"/api/v1/volunteering/members/{me}/activities/{MONTH}", headers=member)
    assert [a for a in now.json() if a["activity"] == first][0]["status"] == "declined"


def test_a_member_does_not_arrange_an_exchange_alone(client, login, published):
    district = published["district"]
    me = next(m.code for m in district.members if m.home == WENCUO)
    wencuo = login(f"secretary-{WENCUO}")
    opened = client.post(f"/api/v1/volunteering/members/{me}/account", headers=wencuo,
                         json={"password": DEMO_PASSWORD})
    assert opened.status_code == 201, opened.text
    mine = client.get(f"/api/v1/volunteering/members/{me}/activities/{MONTH}",
                      headers=login(opened.json()["username"])).json()
    answer = client.post(f"/api/v1/volunteering/members/{me}/swaps",
                         headers=login(opened.json()["username"]),
                         json={"month": MONTH, "activity": mine[0]["activity"],
                               "to_activity": "P0001a@2027-03-13-am", "with_member": "M000001"})
    assert answer.status_code == 403
    unknown = client.post(f"/api/v1/volunteering/members/{me}/swaps", headers=wencuo,
                          json={"month": MONTH, "activity": "P0001a@2027-03-13-am",
                                "to_activity": mine[0]["activity"]})
    assert unknown.status_code == 404


def test_a_member_account_comes_from_the_member_s_community_not_the_users_api(client, login):
    answer = client.post("/api/v1/users", headers=login("admin"), json={
        "username": "member-by-hand", "full_name": "党员", "password": DEMO_PASSWORD,
        "role": "member"})
    assert answer.status_code == 422 and "role" in answer.text
