"""Steps of the joint-meeting features (QL-10a/b/c, QL-09, HC-01, LK-01) on the use cases, as
the meeting's flow calls them (tests/features/meetings/support.py)."""

from datetime import date, timedelta
from itertools import count

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select

from policies.meetings.resolutions import Progress
from policies.reference import ReferenceDataError
from services.meetings import compliance, meetings, resolutions, steps
from services.meetings.bodies import DATA, bodies, read_bodies, rules
from services.meetings.models import MeetingFinding
from services.meetings.resolutions import Completion, Confirmation
from services.meetings.schemas import AgendaFinalise
from services.platform import audit
from services.platform.errors import Conflict, InvalidInput
from services.platform.reference_data import read_yaml
from tests.features.meetings import support as s

scenarios("meetings")

D = date.fromisoformat
fresh_months = count(9)  # quorum scenarios: 温厝社区 2026-09, -10, -11


def findings(db, code: str, period: str) -> int:
    with db.reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(MeetingFinding).where(
            MeetingFinding.body_code == code, MeetingFinding.period == period))


# ---- QL-10a: cadence, findings, quorum -----------------------------------------------------

@when(parsers.parse("{name}的联席会议在{day}按期召集"), target_fixture="seen")
def convened_on(db, name, day):
    meeting_id = s.convene(db, s.UNITS[name], D(day))
    return {"meeting": s.read(db, meeting_id, D(day))}


@then(parsers.parse("会议属于{period}"))
def belongs_to(seen, period):
    assert seen["meeting"].period == period


@then(parsers.parse("本期内需在{end}前召开"))
def due_by(db, seen, end):
    with db.reading() as uow:
        case = uow.session.get(meetings.Case, seen["meeting"].id and meetings.case_of(
            db, seen["meeting"].id))
        assert case.due_on == D(end)


@given(parsers.parse("{name}的联席会议在{day}召集后没有召开"), target_fixture="seen")
def convened_not_held(db, name, day):
    return {"code": s.UNITS[name], "meeting": s.convene(db, s.UNITS[name], D(day))}


@when(parsers.parse("合规检查在{day}和次日各运行一次"))
def sweep_twice(db, day):
    for on in (D(day), D(day) + timedelta(days=1)):
        compliance.sweep(db, rules(), bodies(), on)


@then(parsers.parse("{period}记有{n:d}个未按期召开的问题"))
def finding_count(db, seen, period, n):
    assert findings(db, seen["code"], period) == n


@given(parsers.parse("凤山社区2026年4月的联席会议已召开"), target_fixture="seen")
def fengshan_held(db):
    code = s.UNITS["凤山社区"]
    s.hold(db, code, D("2026-04-05"), D("2026-04-14"), "civil-affairs")
    return {"code": code}


@when(parsers.parse("合规检查在{day}运行"))
def sweep_once(db, day):
    compliance.sweep(db, rules(), bodies(), D(day))


@then(parsers.parse("凤山社区{period}没有未按期召开的问题"))
def no_finding(db, seen, period):
    assert findings(db, seen["code"], period) == 0


@given(parsers.parse("温厝社区的联席会议议程已确定，应到委员{n:d}人"), target_fixture="seen")
def wencuo_agenda_final(db, n):
    code, month = s.UNITS["温厝社区"], next(fresh_months)
    convened = date(2026, month, 5)
    meeting_id = s.convene(db, code, convened)
    item = s.submit(db, meeting_id, s.member_officer(code), "议题", convened)
    s.finalise(db, meeting_id, [item.id], convened)
    invited = s.read(db, meeting_id, convened).invitations
    assert sum(i.kind != "registered-leader" for i in invited) == n
    return {"meeting": meeting_id, "held": convened + timedelta(days=9)}


@when(parsers.parse("书记记录{present:d}人出席、{subs:d}人委托他人代为出席"))
def record_attendance(db, seen, present, subs):
    data = s.record_data(db, seen["meeting"], seen["held"], "civil-affairs", present=present,
                         substitutes=subs)
    try:
        s.record(db, seen["meeting"], data, seen["held"])
    except InvalidInput as exc:
        seen["refused"] = exc


@then(parsers.parse("会议{outcome}"))
def meeting_outcome(db, seen, outcome):
    m = s.read(db, seen["meeting"], seen["held"])
    if outcome == "因不足法定人数不能记录":
        assert "no quorum" in str(seen["refused"]) and m.status == "agenda-final"
    else:
        assert "refused" not in seen and m.status == "held"
        assert m.quorum_note.startswith("应到7人")


# ---- QL-10b: the agenda --------------------------------------------------------------------

@given("温厝社区便民服务站有一件2026-05-29到期仍未办结的案件", target_fixture="seen")
def overdue_at_wencuo(db):
    return {"case": s.overdue_case(db, "st-06", D("2026-05-29"), "居民低保申请")}


@given(parsers.parse("{name}{year:d}年{month:d}月的联席会议已于{day}召集"),
       target_fixture="seen")
def convened_month(db, seen, name, year, month, day):
    code = s.UNITS[name]
    return {**seen, "code": code, "meeting": s.convene(db, code, D(day))}


@when(parsers.parse('兼职委员{department}在征集期内提交"{title}"事项'))
def member_submits(db, seen, department, title):
    s.submit(db, seen["meeting"], s.officer(s.DEPARTMENTS[department]), title, D("2026-06-08"))


@then(parsers.parse('待定议题中有委员提交的"{title}"'))
def has_matter(db, seen, title):
    agenda = s.read(db, seen["meeting"], D("2026-06-08")).agenda
    assert any(i.source == "matter" and i.title == title and i.submitted_by ==
               "officer-housing-construction" for i in agenda)


@then(parsers.parse("待定议题中有平台推送的该超期案件，注明已超期{days:d}天"))
def has_overdue_case(db, seen, days):
    agenda = s.read(db, seen["meeting"], D("2026-06-08")).agenda
    item = next(i for i in agenda if i.case_id == seen["case"])
    assert item.source == "overdue-case" and item.evidence["days_overdue"] == days


@when(parsers.parse("委员在{day}提交事项"))
def late_matter(db, seen, day):
    try:
        s.submit(db, seen["meeting"], s.member_officer(seen["code"]), "迟交的事项", D(day))
    except Conflict as exc:
        seen["refused"] = exc


@then(parsers.parse("提交被拒绝，说明征集已于{day}截止"))
def refused_late(seen, day):
    assert day in str(seen["refused"])


@given("祥露社区2026年6月的联席会议有两项待定议题", target_fixture="seen")
def two_items(db):
    code = s.UNITS["祥露社区"]
    meeting_id = s.convene(db, code, D("2026-06-05"))
    items = [s.submit(db, meeting_id, s.member_officer(code), t, D("2026-06-05")).id
             for t in ("垃圾分类", "停车难")]
    return {"meeting": meeting_id, "items": items, "code": code}


@when("书记只把其中一项列入议程，另一项既未列入也未说明删除理由")
def half_agenda(db, seen):
    s.open_step(db, seen["meeting"], "agenda")
    proposed = [i.id for i in s.read(db, seen["meeting"], D("2026-06-05")).agenda]
    dropped = [{"item_id": i, "reason": "不议"} for i in proposed
               if i not in seen["items"]]
    data = AgendaFinalise(order=[{"item_id": seen["items"][0]}], dropped=dropped)
    try:
        steps.finalise_agenda(db, s.calendar, bodies(), s.secretary(seen["code"]),
                              seen["meeting"], data, D("2026-06-10"))
    except InvalidInput as exc:
        seen["refused"] = exc


@then("议程不能确定，并指出未处理的议题")
def agenda_refused(db, seen):
    assert str(seen["items"][1]) in str(seen["refused"])
    assert s.read(db, seen["meeting"], D("2026-06-10")).status == "convened"


# ---- QL-10c: resolutions -------------------------------------------------------------------

@given("海虹社区的联席会议议程有两项议题", target_fixture="seen")
def haihong_two(db):
    code, on = s.UNITS["海虹社区"], D("2026-07-06")
    meeting_id = s.convene(db, code, on)
    items = [s.submit(db, meeting_id, s.member_officer(code), t, on).id
             for t in ("背街小巷整治", "托育服务")]
    s.finalise(db, meeting_id, items, on)
    return {"meeting": meeting_id, "on": D("2026-07-15")}


@when("书记记录会议时只为其中一项作出决议")
def one_resolution_only(db, seen):
    data = s.record_data(db, seen["meeting"], seen["on"], "housing-construction")
    data.resolutions.pop()
    try:
        s.record(db, seen["meeting"], data, seen["on"])
    except InvalidInput as exc:
        seen["refused"] = exc


@then("会议记录被拒绝，指出每个议题都要有决议")
def record_refused(db, seen):
    assert seen["refused"].field == "resolutions"
    assert "one resolution for each agenda item" in str(seen["refused"])
    assert s.read(db, seen["meeting"], seen["on"]).resolutions == []


DEADLINE_BODIES = iter(["songyu-haifa", "songyu-weilai-haian", "dongfu-dongfu"])


@given(parsers.parse("海发社区的联席会议于{day}召开"), target_fixture="seen")
def held_on_day(day):
    return {"code": next(DEADLINE_BODIES), "held": D(day)}


@when(parsers.parse("会议决议由海沧区住房和建设局在{n:d}个工作日内办结"))
def resolution_in_days(db, seen, n):
    _, ids = s.hold(db, seen["code"], D("2026-09-05"), seen["held"], "housing-construction",
                    working_days=n)
    seen["resolution"] = resolutions.get(db, s.officer("housing-construction"), ids[0],
                                         seen["held"])


@then(parsers.parse("办结期限为{day}"))
def deadline_is(seen, day):
    assert seen["resolution"].deadline == D(day)
    assert seen["resolution"].owner == "housing-construction"


@given("海翔社区的联席会议作出一项由海沧区民政局办理的决议", target_fixture="seen")
def haixiang_resolution(db):
    _, ids = s.hold(db, s.UNITS["海翔社区"], D("2026-05-05"), D("2026-05-12"), "civil-affairs")
    return {"rid": ids[0], "code": s.UNITS["海翔社区"]}


@given("海沧区民政局报告进度60%")
def progress_60(db, seen):
    resolutions.report_progress(db, s.officer("civil-affairs"), seen["rid"],
                                Progress(percent=60, note="已完成入户摸排"), D("2026-05-15"))


@when("海沧区民政局写明结果报告办结，书记确认")
def done_and_confirmed(db, seen):
    steps.complete_resolution(db, s.calendar, s.officer("civil-affairs"), seen["rid"],
                              Completion(result="已为32户完成改造"), D("2026-05-20"))
    seen["resolution"] = steps.confirm_resolution(
        db, s.calendar, s.secretary(seen["code"]), seen["rid"],
        Confirmation(accepted=True, note="经走访核实"), D("2026-05-21"))


@then("决议已关闭，办理记录依次为交办、承办、反馈、办结、评价")
def closed_with_timeline(seen):
    r = seen["resolution"]
    assert r.status == "closed" and r.closed_on == D("2026-05-21") and not r.overdue
    assert [e.stage for e in r.timeline] == [
        "assigned", "accepted", "reported", "completed", "closed"]
    assert r.result == "已为32户完成改造"


@given("海景社区2026年4月的联席会议作出一项10个工作日内办结的决议", target_fixture="seen")
def haijing_april(db):
    code = s.UNITS["海景社区"]
    _, ids = s.hold(db, code, D("2026-04-05"), D("2026-04-07"), "transport", working_days=10)
    return {"code": code, "rid": ids[0]}


@when("2026年5月的联席会议召集时该决议仍未办结")
def may_convened(db, seen):
    seen["may"] = s.convene(db, seen["code"], D("2026-05-05"))


@then("本月待定议题中有该决议，并带有其期限和进度")
def carried(db, seen):
    agenda = s.read(db, seen["may"], D("2026-05-05")).agenda
    item = next(i for i in agenda if i.resolution_id == seen["rid"])
    assert item.source == "carried-resolution"
    assert item.evidence["deadline"] == "2026-04-21" and item.evidence["percent"] == 0


@then("海景社区的机构页面显示该决议已超期")
def body_page_overdue(db, seen):
    page = steps.body_page(db, s.secretary(seen["code"]), bodies()[seen["code"]],
                           D("2026-05-05"))
    assert any(r.id == seen["rid"] and r.overdue for r in page.open_resolutions)


# ---- HC-01, QL-09, LK-01: bodies and members ----------------------------------------------

@when("载入联席会议机构名单", target_fixture="seen")
def load_bodies(seen):
    try:
        seen["bodies"] = read_bodies(seen.get("path"))
    except ReferenceDataError as exc:
        seen["refused"] = exc
    return seen


@then("有1个区级联席会议、4个街道大党工委和16个社区大党委")
def counts(seen):
    levels = [b.level for b in seen["bodies"].values()]
    assert (levels.count("district"), levels.count("street"), levels.count("community")) == (
        1, 4, 16)


@then("每个街道大党工委的第一书记都是区委常委")
def first_secretaries(seen):
    standing = set(read_yaml(DATA / "bodies.yaml")["district_standing_committee"])
    for body in seen["bodies"].values():
        if body.level == "street":
            firsts = [m for m in body.members if m.role == "first-secretary"]
            assert len(firsts) == 1 and firsts[0].person in standing


@given("名单中东孚街道大党工委的第一书记不在区委常委名单中", target_fixture="seen")
def broken_hc01(tmp_path):
    import yaml
    raw = read_yaml(DATA / "bodies.yaml")
    dongfu = next(b for b in raw["bodies"] if b["code"] == "dongfu")
    first = next(m for m in dongfu["members"] if m["role"] == "first-secretary")
    raw["district_standing_committee"].remove(first["person"])
    path = tmp_path / "bodies.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return {"path": path}


@then("载入被拒绝，指出东孚街道的第一书记不是区委常委")
def refused_hc01(seen):
    message = str(seen["refused"])
    assert "bodies.yaml" in message and "dongfu" in message and "HC-01" in message


@when(parsers.parse("{name}{year:d}年{month:d}月的联席会议召集"), target_fixture="seen")
def convene_month(db, name, year, month):
    code = s.UNITS[name]
    meeting_id = s.convene(db, code, date(year, month, 5))
    return {"code": code, "meeting": s.read(db, meeting_id, date(year, month, 5))}


@then(parsers.parse("专职委员{ft:d}人、兼职委员{pt:d}人都收到会议通知"))
def both_kinds(seen, ft, pt):
    kinds = [i.kind for i in seen["meeting"].invitations]
    assert (kinds.count("full-time"), kinds.count("part-time")) == (ft, pt)


@then("每位兼职委员注明其所代表的单位")
def units_named(seen):
    assert all(i.unit_zh for i in seen["meeting"].invitations if i.kind == "part-time")


@given(parsers.parse("一名兼职委员的任期于{day}届满"), target_fixture="seen")
def term_ends(day):
    body = bodies()["haicang-street-aoguan"]
    leaving = next(m for m in body.members if m.kind == "part-time")
    members = tuple(m.model_copy(update={"term_to": D(day)}) if m is leaving else m
                    for m in body.members)
    return {"body": body.model_copy(update={"members": members}), "leaving": leaving.person}


@when(parsers.parse("该社区{year:d}年{month:d}月的联席会议召集"))
def convene_changed(db, seen, year, month):
    s.convene(db, seen["body"].code, date(year, month - 1, 5))  # the month before, as it was
    on = date(year, month, 5)
    seen["meeting"] = s.read(db, s.convene(db, seen["body"].code, on, seen["body"]), on)


@then("该委员不在邀请名单中")
def not_invited(seen):
    invited = {i.person for i in seen["meeting"].invitations}
    assert seen["leaving"] not in invited and len(invited) == 7


@then("名单的变化记入审计留痕")
def membership_change_audited(db, seen):
    with db.reading() as uow:
        events = list(uow.session.scalars(audit.query(
            subject_type="org_unit", subject_id=seen["body"].code,
            action="meeting.membership_changed")))
    assert [e.after["left"] for e in events] == [[seen["leaving"]]]


@then("在东屿社区报到的市直机关领导收到会议通知")
def leader_invited(seen):
    leaders = [i for i in seen["meeting"].invitations if i.kind == "registered-leader"]
    assert [i.person for i in leaders] == ["p-haicang-street-dongyu-leader1"]


@then("其他社区的会议不邀请该领导")
def leader_elsewhere(db):
    other = bodies()["haicang-street-shitang"].invitation_list(date(2026, 7, 5))
    assert "p-haicang-street-dongyu-leader1" not in {i.person for i in other}


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
