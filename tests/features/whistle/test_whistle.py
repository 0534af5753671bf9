"""Steps of the whistle-and-report feature (QL-14, LK-09b), on the use cases and the sweep at
chosen moments of 2026-11-02 (district time)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from policies.access import Actor, Role
from services.grid import issues
from services.grid.issues import IssueReport
from services.grid.reference import read_catalogue
from services.platform.errors import Conflict
from services.platform.reference_data import read_calendar
from services.whistle import reference, whistles
from services.whistle.whistles import Report, WhistleCreate

scenarios("whistle/whistle.feature")

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 2)
rules, ladder = reference.read_rules(), reference.ladder()
UNITS = {"海沧社区第一网格": "haicang-street-haicang-g01", "海沧社区": "haicang-street-haicang",
         "海沧街道": "haicang-street", "海沧区": "haicang"}
KINDS = {"日常": "routine", "攻坚": "hard-case", "应急": "emergency"}
FLAGS = {"偏低": "too-low", "正常": "ok", "偏高": "too-high"}
URBAN = Actor(username="officer-urban-management", role=Role.OFFICER,
              department="urban-management")


def at(clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(2026, 11, 2, hour, minute, tzinfo=TZ)


def branch(grid: str) -> Actor:
    return Actor(username=f"branch-{grid}", role=Role.SECRETARY, org_unit=grid)


def whistle_on(db, grid: str, kind: str, when_: datetime):
    actor = branch(grid)
    issue = issues.report(db, read_catalogue(), read_calendar(), actor, IssueReport(
        category="illegal-construction", description="沧江花园2号楼顶违章搭建彩钢棚",
        grid=grid), DAY)
    whistles.blow(db, rules, ladder, actor, issue.id, WhistleCreate(
        kind=kind, reason="需要城管执法和市场监管联合处置",
        departments=["urban-management", "market-supervision"]), when_)
    return issue.id, actor


@pytest.fixture
def whistled() -> dict:
    return {}


@given(parsers.parse("海沧社区第一网格党支部书记于2026-11-02 09:00就沧江花园2号楼顶违章搭建"
                     "吹响日常哨，召集海沧区城市管理局和海沧区市场监督管理局"))
def blown(db, whistled):
    whistled["id"], whistled["branch"] = whistle_on(db, UNITS["海沧社区第一网格"], "routine",
                                                    at("09:00"))


@given(parsers.parse("海沧区城市管理局于{clock}报到"))
def urban_reports(db, whistled, clock):
    whistles.report(db, ladder, URBAN, whistled["id"], Report(note="城管中队已到场"), at(clock))


@when(parsers.parse("督办巡查于{clock}运行"), target_fixture="seen")
def sweep(db, whistled, clock):
    whistles.sweep(db, rules, ladder, at(clock))
    return {"whistle": whistles.get(db, ladder, whistled["branch"], whistled["id"])}


@then(parsers.parse("哨声为{name}"))
def level_is(seen, name):
    assert seen["whistle"].level_name == name


@then(parsers.parse("最近通知的是{unit}"))
def notified(seen, unit):
    assert seen["whistle"].levels[-1].notified == f"secretary:{UNITS[unit]}"


@when("查看这次吹哨", target_fixture="seen")
def look(db, whistled):
    return {"whistle": whistles.get(db, ladder, whistled["branch"], whistled["id"])}


@then(parsers.parse("海沧区城市管理局于{clock}报到，未超时"))
def reported_on_time(seen, clock):
    urban = next(s for s in seen["whistle"].summons if s.department == "urban-management")
    assert urban.reported_at.astimezone(TZ) == at(clock) and urban.reported_late is False


@then("海沧区市场监督管理局尚未报到")
def not_yet(seen):
    market = next(s for s in seen["whistle"].summons if s.department == "market-supervision")
    assert market.reported_at is None


@when("海沧区城市管理局要求撤离", target_fixture="seen")
def leave(db, whistled):
    with pytest.raises(Conflict) as refused:
        whistles.withdraw(db, ladder, URBAN, whistled["id"], at("10:00"))
    return {"refused": refused.value.detail}


@then(parsers.parse('撤离被拒绝："{reason}"'))
def leave_refused(seen, reason):
    assert reason in seen["refused"]


@when(parsers.parse("海沧社区第二网格党支部书记吹响{kind}哨"), target_fixture="seen")
def blow_kind(db, kind):
    case_id, actor = whistle_on(db, "haicang-street-haicang-g02", KINDS[kind], at("14:00"))
    return {"whistle": whistles.get(db, ladder, actor, case_id)}


@then(parsers.parse("被召集的部门须在{minutes:d}分钟内报到"))
def report_within(seen, minutes):
    for s in seen["whistle"].summons:
        assert (s.report_due_at - s.summoned_at).total_seconds() == minutes * 60


@when(parsers.parse("其中{count:d}件吹了哨"), target_fixture="seen")
def whistled_count(count):
    return {"flag": rules.rate_band.flag(count, 100)}


@then(parsers.parse('吹哨率提示为"{flag}"'))
def flag_is(seen, flag):
    assert seen["flag"] == FLAGS[flag]
