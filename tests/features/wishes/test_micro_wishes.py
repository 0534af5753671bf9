"""Steps of the micro-wishes feature (HC-08), on the use cases."""

from datetime import date, timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from policies.access import Actor, Role
from services.platform.errors import DomainError, InvalidInput
from services.wishes import reference, wishes
from services.wishes.wishes import Assignment, Fulfilment, WishPost
from tests.applicants import citizen_id

scenarios("wishes/micro_wishes.feature")

rules = reference.read_rules()
COMMUNITY = "haicang-street-haicang"
HEALTH = Actor(username="officer-health", role=Role.OFFICER, department="health")
SECRETARY = Actor(username="secretary-haicang-street-haicang", role=Role.SECRETARY,
                  org_unit=COMMUNITY)
DEPARTMENTS = {"海沧区民政局": "civil-affairs", "海沧区税务局": "taxation"}
ON = date(2026, 11, 2)


def resident() -> Actor:
    number = citizen_id()
    return Actor(username=number, role=Role.APPLICANT, applicant_number=number)


@pytest.fixture
def wish() -> dict:
    return {}


@given(parsers.re(r'海沧社区居民陈秀英(于(?P<day>[\d-]+))?发布微心愿"(?P<title>.+)"'))
def posted(db, wish, title, day):
    wish["resident"] = resident()
    wish["id"] = wishes.post(db, rules, wish["resident"], WishPost(
        community=COMMUNITY, kind="daily-help", title=title, description=title),
        date.fromisoformat(day) if day else ON).id
    wish["posted_on"] = date.fromisoformat(day) if day else ON


@given("海沧区卫生健康局认领并实现了这个心愿")
def claimed_and_done(db, wish):
    wishes.claim(db, rules, HEALTH, wish["id"])
    wishes.fulfil(db, rules, HEALTH, wish["id"], Fulfilment(note="周三8点志愿者接送"))


@when("陈秀英确认心愿已实现", target_fixture="seen")
def confirms(db, wish):
    return {"wish": wishes.confirm(db, rules, wish["resident"], wish["id"])}


@then(parsers.parse('心愿显示"{status}"'))
def shows(seen, status):
    assert seen["wish"].status_zh == status


@when(parsers.parse("海沧社区书记把心愿派给{unit}"), target_fixture="seen")
def assigns(db, wish, unit):
    try:
        return {"wish": wishes.assign(db, rules, SECRETARY, wish["id"],
                                      Assignment(unit=DEPARTMENTS[unit]))}
    except InvalidInput as refused:
        return {"refused": refused}


@then(parsers.parse('心愿显示"已认领"，由{unit}负责'))
def assigned_to(seen, unit):
    assert seen["wish"].status_zh == "已认领"
    assert seen["wish"].claimer_unit == DEPARTMENTS[unit]


@then("派单被拒绝，因为该单位没有和海沧社区结对")
def not_paired(seen):
    assert seen["refused"].field == "unit" and "not paired" in seen["refused"].detail


@when(parsers.parse("{who}确认心愿已实现"), target_fixture="seen")
def someone_confirms(db, wish, who):
    actor = {"海沧区卫生健康局": HEALTH, "系统管理员": Actor(username="admin", role=Role.ADMIN),
             "另一位居民": resident()}[who]
    with pytest.raises(DomainError) as refused:
        wishes.confirm(db, rules, actor, wish["id"])
    return {"refused": refused.value,
            "wish": wishes.get(db, rules, wish["resident"], wish["id"])}


@then(parsers.parse('确认被拒绝，心愿仍显示"{status}"'))
def still(seen, status):
    assert seen["refused"].status in (403, 404)
    assert seen["wish"].status_zh == status


@when(parsers.parse("{days:d}天后催办巡查运行"), target_fixture="seen")
def urge(db, wish, days):
    return {"urged": wishes.urge_unclaimed(db, rules, wish["posted_on"] + timedelta(days=days))}


@then(parsers.parse("这个心愿{whether}催办"))
def urged(seen, wish, whether):
    assert (wish["id"] in seen["urged"]) == (whether == "被")


@when("海沧区卫生健康局认领这个心愿", target_fixture="seen")
def claim(db, wish):
    wishes.claim(db, rules, HEALTH, wish["id"])
    return {"board": wishes.board(db, rules, HEALTH, COMMUNITY)}


@then("海沧社区的心愿墙上不再有这个心愿")
def off_the_board(seen, wish):
    assert wish["id"] not in [w.id for w in seen["board"]]
