"""Steps of the assessment features (LK-02, QL-12b): scoring, ranking, candidates and the
popularity index on the pure rules with the data's weights; the award's confirmation on the use
cases, through the district's work item as the flow opens it."""

import re
from datetime import date

import pytest
import yaml
from pydantic import ValidationError
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from policies.access import Actor, Role
from policies.assessment.popularity import CentreUse, rank_centres
from policies.assessment.rules import Popularity
from policies.assessment.scoring import (
    CommunityScore,
    Ranked,
    Ratio,
    award_candidates,
    score,
    with_changes,
)
from services.assessment import assessments
from services.assessment.assessments import AwardDecisions, Outcome
from services.platform.db import models
from services.platform.reference_data import read_calendar, read_reference
from services.work import work_items

scenarios("assessment")

rules, calendar = assessments.assessment_rules(), read_calendar()
UNITS = {u.name_zh: u.code for u in read_reference().org_units()}
STATIONS = {"海沧社区便民服务站": "st-05", "温厝社区便民服务站": "st-06",
            "石塘社区便民服务站": "st-08"}
DISTRICT = Actor(username="secretary-haicang", role=Role.SECRETARY, org_unit="haicang")
INDICATORS = {i.name_zh: i.code for i in rules.indicators}


def ranking_with(community: str, this_year: int, last_year: int | None) -> list[Ranked]:
    """A ranking in which `community` stands at `this_year` (others around it)."""
    me = Ranked(community=community, name_zh=community, score=90.0, indicators=[],
                rank=this_year)
    return with_changes([me], {community: last_year} if last_year else {})


@pytest.fixture
def year_before() -> dict:
    return {}


@given(parsers.parse("{name}在2026年的考核中排第{rank:d}名"))
def ranked_last_year(year_before, name, rank):
    year_before[UNITS[name]] = rank


@when(parsers.parse("2027年的考核排出名次，{name}排第{rank:d}名"), target_fixture="seen")
def ranked_this_year(year_before, name, rank):
    ranking = with_changes(ranking_with(UNITS[name], rank, None), year_before)
    return {"candidates": award_candidates(ranking, rules.award, rules.key_tasks(2027))}


@then(parsers.re(r"(?P<name>\S+社区)(?P<whether>是|不是)奖励候选$"))
def candidate_or_not(seen, name, whether):
    found = UNITS[name] in {c.community for c in seen["candidates"]}
    assert found == (whether == "是"), seen["candidates"]


@given(parsers.parse('区里在考核数据中点名{name}2027年高质高效完成"{task}"重点任务'))
def key_task_named(name, task):
    assert task in rules.key_tasks(2027)[UNITS[name]]


@when(parsers.parse("2027年的考核排出名次，{name}与2026年同为第{rank:d}名"),
      target_fixture="seen")
def same_rank(name, rank):
    ranking = ranking_with(UNITS[name], rank, rank)
    return {"candidates": award_candidates(ranking, rules.award, rules.key_tasks(2027))}


@then(parsers.parse("{name}是奖励候选，理由是高质高效完成重点任务"))
def candidate_for_key_task(seen, name):
    found = {c.community: c.reasons for c in seen["candidates"]}[UNITS[name]]
    assert [r for r in found if r.startswith("高质高效完成重点任务")] and len(found) == 1


@given(parsers.parse("{name}在{year:d}年的考核中从第{before:d}名升至第{now:d}名，是奖励候选"),
       target_fixture="award")
def assessed_candidate(db, name, year, before, now):
    ranking = ranking_with(UNITS[name], now, before)
    outcome = Outcome(year=year, ranking=ranking, previous_source="published",
                      candidates=award_candidates(ranking, rules.award, {}))
    assert [c.community for c in outcome.candidates] == [UNITS[name]]

    def work(uow) -> int:
        stored = assessments._store(uow.session, rules, outcome, date(year + 1, 1, 10), None)
        uow.commit()
        return stored.case_id

    case_id = db.run(work)
    work_items.open_item(db, assessments.confirmation_spec(case_id, rules))  # as the flow does
    return {"year": year, "community": UNITS[name]}


@when(parsers.parse("区委组织部确认{name}的奖励"), target_fixture="seen")
def district_confirms(db, award, name):
    on = date(award["year"] + 1, 1, 20)
    item_id, decision = assessments.check_decisions(
        db, DISTRICT, rules, award["year"], AwardDecisions(confirmed=[UNITS[name]]))
    work_items.decide(db, calendar, DISTRICT, item_id, decision, on)
    with db.reading() as uow:
        assessment_id = assessments._assessment(uow.session, award["year"]).id
    assert assessments.apply_decisions(db, rules, assessment_id, decision["content"], on)
    return {"read": assessments.read(db, DISTRICT, rules, award["year"])}


@then(parsers.parse("{name}获得集体奖励{amount:d}元"))
def award_amount(seen, name, amount):
    award = {a.community: a for a in seen["read"].awards}[UNITS[name]]
    assert (award.status, award.amount_yuan) == ("confirmed", amount)
    assert seen["read"].status == "published"


@then("审计记录中有这次确认")
def audited(db, award):
    with db.reading() as uow:
        events = uow.session.scalars(select(models.AuditEvent).where(
            models.AuditEvent.action == "award.confirmed")).all()
    assert any(e.after["community"] == award["community"]
               and e.after["decided_by"] == DISTRICT.username for e in events)


@pytest.fixture
def figures() -> dict:
    return {}


@given(parsers.parse("{name}2026年上报网格问题{reported:d}件，按期办结{on_time:d}件；"
                     "群众评价{rated:d}件，满意或基本满意{satisfied:d}件"))
def grid_figures(figures, name, reported, on_time, rated, satisfied):
    figures["community"] = UNITS[name]
    figures["grid_resolved_on_time"] = Ratio(part=on_time, whole=reported)
    figures["grid_satisfaction"] = Ratio(part=satisfied, whole=rated)


@given(parsers.parse("{name}2026年居民发布微心愿{posted:d}个，实现{done:d}个"))
def wish_figures(figures, name, posted, done):
    figures["wishes_fulfilled"] = Ratio(part=done, whole=posted)


CHINESE_COUNTS = {"三": 3, "五": 5, "八": 8}


@given(parsers.parse("这{total:d}件网格问题和微心愿中有{escalated:d}件被升级督办；"
                     "其余{left}项指标没有记录"))
def escalation_figures(figures, total, escalated, left):
    figures["escalated_share"] = Ratio(part=escalated, whole=total)
    assert len(rules.indicators) - 4 == CHINESE_COUNTS[left]


@when("计算温厝社区2026年的得分", target_fixture="seen")
def compute_score(figures):
    ratios = {k: v for k, v in figures.items() if k != "community"}
    return {"score": score(figures["community"], "温厝社区", ratios, rules.indicators)}


@then(parsers.parse("得分列出{listed}"))
def lists_indicators(seen, listed):
    result: CommunityScore = seen["score"]
    shown = {i.code: i.value for i in result.indicators}
    for item in listed.split("、"):
        name, percent = item.rstrip("%").rsplit("率", 1)
        assert shown[INDICATORS[name + "率"]] == int(percent) / 100


@then(parsers.parse("没有记录的{left}项指标注明不适用，不计分"))
def not_applicable(seen, left):
    missing = [i for i in seen["score"].indicators if i.value is None]
    assert len(missing) == CHINESE_COUNTS[left]
    assert all(i.points is None and i.whole == 0 for i in missing)


@then(parsers.parse("得分为{total:g}分"))
def total_score(seen, total):
    assert seen["score"].score == total


# Published figures (volunteer plan, whistle, one-stop) as the readers hand them to the score.
@given(parsers.re(r"(?P<name>\S+社区)2027年上报网格问题(?P<issues>\d+)件，全部按期办结；包保单位"
                  r"(?P<units>\d+)个，(?P<missed>.+)；报到党员的人月数为(?P<months>\d+)，"
                  r"参加了志愿服务的有(?P<served>\d+)"))
def volunteer_figures(figures, name, issues, units, missed, months, served):
    unit_months = int(units) * 12
    skipped = 0 if missed == "12个月都开展了集中活动" else int(
        re.fullmatch(r"其中1个有(\d+)个月没有开展集中活动", missed).group(1))
    figures.setdefault("communities", {})[UNITS[name]] = {
        "grid_resolved_on_time": Ratio(part=int(issues), whole=int(issues)),
        "volunteer_units_held": Ratio(part=unit_months - skipped, whole=unit_months),
        "volunteer_members_served": Ratio(part=int(served), whole=int(months))}


@when("计算两个社区2027年的得分", target_fixture="seen")
def compute_two(figures):
    return {"scores": {c: score(c, c, ratios, rules.indicators)
                       for c, ratios in figures["communities"].items()}}


def _shown(result: CommunityScore, code: str) -> float:
    return next(i.value for i in result.indicators if i.code == code)


@then(parsers.re(r"(?P<name>\S+社区)包保单位集中活动开展率为(?P<rate>[\d.]+)%，得分(?P<total>[\d.]+)分"
                 r"(?P<lower>，低于石塘社区)?"))
def volunteer_score(seen, name, rate, total, lower):
    result = seen["scores"][UNITS[name]]
    assert _shown(result, "volunteer_units_held") == round(float(rate) / 100, 4)
    assert result.score == float(total)
    if lower:
        assert result.score < seen["scores"][UNITS["石塘社区"]].score


@given(parsers.parse("{name}2027年上报网格问题{issues:d}件，全部按期办结，其中吹哨{blown:d}件"))
def whistle_figures(figures, name, issues, blown):
    figures["community"] = UNITS[name]
    figures["grid_resolved_on_time"] = Ratio(part=issues, whole=issues)
    figures["whistle_rate"] = Ratio(part=blown, whole=issues)


@when(parsers.parse("计算{name}2027年的得分"), target_fixture="seen")
def compute_2027(figures, name):
    ratios = {k: v for k, v in figures.items() if k != "community"}
    return {"score": score(figures["community"], name, ratios, rules.indicators)}


@then(parsers.parse("吹哨率为{rate:d}%，得分{total:g}分"))
def whistle_score(seen, rate, total):
    result = seen["score"]
    assert _shown(result, "whistle_rate") == rate / 100 and result.score == total
    band = next(i.band for i in result.indicators if i.code == "whistle_rate")
    assert (band.low, band.high) == (0.02, 0.30)  # the whistle process's own band


@given(parsers.parse("{name}便民服务站2027年办结办件{ended:d}件，其中{once:d}件申请人到场不超过一次；"
                     "申请人评价了{rated:d}件，{satisfied:d}件满意或非常满意"))
def one_stop_figures(figures, name, ended, once, rated, satisfied):
    figures["community"] = UNITS[name]
    figures["one_stop_single_visit"] = Ratio(part=once, whole=ended)
    figures["one_stop_satisfaction"] = Ratio(part=satisfied, whole=rated)


@then(parsers.parse('得分列出便民服务站满意率{satisfied:d}%、"最多跑一次"占比{once:d}%'))
def one_stop_shown(seen, satisfied, once):
    result = seen["score"]
    assert _shown(result, "one_stop_satisfaction") == satisfied / 100
    assert _shown(result, "one_stop_single_visit") == once / 100


@given(parsers.re(r"2026年3月(?P<name>\S+便民服务站)（(?P<area>\d+)平方米、(?P<rooms>\d+)个功能室）"
                  r"没有来访、心愿和会议"), target_fixture="centres")
def unused_centre(name, area, rooms):
    facilities = rules.popularity.facilities[STATIONS[name]]
    assert (facilities.area_m2, facilities.rooms) == (int(area), int(rooms))
    return {STATIONS[name]: {}}


@given(parsers.re(r"2026年3月(?P<name>\S+便民服务站)（\d+平方米、\d+个功能室）受理来访(?P<visits>\d+)件，"
                  r"社区居民发布微心愿(?P<wishes>\d+)个"))
def busy_centre(centres, name, visits, wishes):
    centres[STATIONS[name]] = {"visits": int(visits), "wishes": int(wishes)}


@pytest.fixture
def centres() -> dict:
    return {}


@given(parsers.re(r"2026年3月(?P<name>\S+便民服务站)受理来访(?P<visits>\d+)件$"))
def some_visits(centres, name, visits):
    centres[STATIONS[name]] = {"visits": int(visits)}


@given(parsers.re(r"2026年3月(?P<name>\S+便民服务站)受理来访(?P<visits>\d+)件，"
                  r"社区开展志愿服务活动(?P<held>\d+)次"))
def visits_and_activities(centres, name, visits, held):
    centres[STATIONS[name]] = {"visits": int(visits), "activities": int(held)}


@when("计算2026年3月的人气指数", target_fixture="seen")
def popularity_index(centres):
    names = {code: name for name, code in STATIONS.items()}
    uses = [CentreUse(centre=code, name_zh=names[code], kind="community_station", counts=c)
            for code, c in centres.items()]
    return {"centres": rank_centres(uses, rules.popularity)}


@then(parsers.parse("{name}排第1名，人气指数为{index:g}"))
def first(seen, name, index):
    top = seen["centres"][0]
    assert (top.name_zh, top.index) == (name, index)


@then(parsers.parse("{name}排在最后，人气指数为{index:g}"))
def last(seen, name, index):
    bottom = seen["centres"][-1]
    assert (bottom.name_zh, bottom.index) == (name, index)
    assert all(c.rank < bottom.rank for c in seen["centres"][:-1])


@then(parsers.parse("{name}的面积和功能室列在指数旁"))
def facilities_shown(seen, name):
    centre = next(c for c in seen["centres"] if c.name_zh == name)
    assert centre.facilities.area_m2 == 1200 and centre.facilities.rooms == 8


@when(parsers.parse('区里在人气指数的公式中加入"{term}"一项'), target_fixture="seen")
def add_facility_term(term):
    data = rules.popularity.model_dump()
    data["terms"].append({"use": "area_m2", "name_zh": term, "weight": 1,
                          "definition": "中心面积（平方米）", "source": "centres"})
    with pytest.raises(ValidationError) as refused:
        Popularity.model_validate(yaml.safe_load(yaml.safe_dump(data, allow_unicode=True)))
    return {"refused": str(refused.value)}


@then("数据被拒绝，因为公式只能计入使用")
def refused(seen):
    added = len(rules.popularity.terms)  # the refused term is the one after the data's
    assert f"terms.{added}.use" in seen["refused"] and "visits" in seen["refused"]
