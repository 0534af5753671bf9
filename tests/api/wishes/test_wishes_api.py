"""Micro-wishes through the API (HC-08): what a resident, a unit and the community see."""

from datetime import date, timedelta

from services.wishes import reference, wishes
from tests.api.grid.conftest import COMMUNITY_SECRETARY
from tests.applicants import register

COMMUNITY = "haicang-street-haicang"  # 海沧社区, paired with civil-affairs and urban-management
RIDE = {"community": COMMUNITY, "kind": "ride", "title": "周三上午需要车送去海沧医院复诊",
        "description": "腿脚不便，独居，需要有人陪同"}


def post(client, resident, **changes):
    answer = client.post("/api/v1/wishes", headers=resident.headers, json=RIDE | changes)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_wish_is_claimed_fulfilled_and_confirmed_by_its_resident(client, login):
    resident = register(client, name="陈秀英")
    wish = post(client, resident)
    assert (wish["status"], wish["resident"]) == ("open", "陈秀英")
    board = client.get(f"/api/v1/wishes/board/{COMMUNITY}", headers=login("officer-health"))
    on_board = next(w for w in board.json() if w["id"] == wish["id"])
    assert on_board["resident"] == "陈**"  # the board shows the surname only

    health = login("officer-health")
    claimed = client.post(f"/api/v1/wishes/{wish['id']}/claim", headers=health).json()
    assert (claimed["status"], claimed["claimer_unit"]) == ("claimed", "health")
    board = client.get(f"/api/v1/wishes/board/{COMMUNITY}", headers=health).json()
    assert wish["id"] not in [w["id"] for w in board]
    done = client.post(f"/api/v1/wishes/{wish['id']}/fulfilment", headers=health,
                       json={"note": "卫健局志愿者周三8点接送"}).json()
    assert done["status"] == "fulfilled"

    for stranger in (login("admin"), health, register(client).headers):
        refused = client.post(f"/api/v1/wishes/{wish['id']}/confirmation", headers=stranger)
        assert refused.status_code in (403, 404), refused.text
    confirmed = client.post(f"/api/v1/wishes/{wish['id']}/confirmation",
                            headers=resident.headers).json()
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_at"]


def test_the_community_assigns_a_wish_only_to_a_paired_unit(client, login):
    wish = post(client, register(client), kind="repair", title="家里热水器坏了")["id"]
    secretary = login(COMMUNITY_SECRETARY)
    unpaired = client.post(f"/api/v1/wishes/{wish}/assignment", headers=secretary,
                           json={"unit": "taxation"})
    assert unpaired.status_code == 422 and unpaired.json()["errors"][0]["field"] == "unit"
    assert client.post(f"/api/v1/wishes/{wish}/assignment", headers=login("officer-water"),
                       json={"unit": "civil-affairs"}).status_code == 403
    assigned = client.post(f"/api/v1/wishes/{wish}/assignment", headers=secretary,
                           json={"unit": "civil-affairs"}).json()
    assert (assigned["claimer_unit"], assigned["assigned_by"]) == (
        "civil-affairs", COMMUNITY_SECRETARY)
    assert client.post(f"/api/v1/wishes/{wish}/fulfilment", headers=login("officer-water"),
                       json={"note": "已修好"}).status_code == 403
    assert client.post(f"/api/v1/wishes/{wish}/fulfilment",
                       headers=login("officer-civil-affairs"),
                       json={"note": "民政局结对志愿者上门修好"}).status_code == 200


def test_a_claimed_wish_cannot_be_claimed_again(client, login):
    wish = post(client, register(client))["id"]
    client.post(f"/api/v1/wishes/{wish}/claim", headers=login("officer-health"))
    again = client.post(f"/api/v1/wishes/{wish}/claim", headers=login("officer-education"))
    assert again.status_code == 409


def test_staff_do_not_post_wishes_and_residents_see_only_their_own(client, login):
    assert client.post("/api/v1/wishes", headers=login("officer-health"),
                       json=RIDE).status_code == 403
    wish = post(client, register(client))["id"]
    assert client.get(f"/api/v1/wishes/{wish}",
                      headers=register(client).headers).status_code == 404
    bad = client.post("/api/v1/wishes", headers=register(client).headers,
                      json=RIDE | {"community": "haicang-street-haicang-g01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "community"


def test_an_unclaimed_wish_is_urged_after_three_days_once(client, db):
    rules = reference.rules()
    wish = post(client, register(client), title="孩子需要一套课外辅导书")
    posted = date.fromisoformat(wish["posted_on"])
    assert wish["id"] not in wishes.urge_unclaimed(db, rules, posted + timedelta(days=2))
    assert wish["id"] in wishes.urge_unclaimed(db, rules, posted + timedelta(days=3))
    assert wish["id"] not in wishes.urge_unclaimed(db, rules, posted + timedelta(days=4))
