"""Steps of the red forum features (LK-13a/b) on the use cases; hard cases are seeded in the
work layer (cases, work items, escalations), which is all the forum reads."""

from datetime import UTC, date, datetime

from pytest_bdd import given, parsers, scenarios, then, when

from policies.access import Actor, Role
from services.platform.errors import InvalidInput
from services.platform.reference_data import read_calendar, read_reference
from services.red_forum import actions, forums, reserve
from services.red_forum.forums import ForumRecord
from services.red_forum.models import ReserveEntry
from services.red_forum.reserve import SelectionCreate, TrainingCreate
from services.work import work_items
from services.work.models import Case, Escalation, WorkItem

scenarios("red_forum")

calendar, rules = read_calendar(), forums.forum_rules()
ORGANISER = Actor(username="organiser-haicang", role=Role.SECRETARY, org_unit="haicang")
UNITS = {u.name_zh: u.code for u in read_reference().org_units()}
QUARTER_START = {"2026-Q1": date(2026, 2, 10), "2026-Q2": date(2026, 5, 12),
                 "2026-Q3": date(2026, 8, 11), "2026-Q4": date(2026, 11, 10),
                 "2027-Q1": date(2027, 2, 10), "2027-Q2": date(2027, 5, 11),
                 "2027-Q3": date(2027, 8, 10), "2027-Q4": date(2027, 11, 10)}
FORUM_DAY = {"2026-Q2": date(2026, 4, 10), "2026-Q3": date(2026, 7, 10),
             "2026-Q4": date(2026, 10, 10), "2027-Q1": date(2027, 1, 10),
             "2027-Q2": date(2027, 4, 10), "2027-Q3": date(2027, 7, 10),
             "2027-Q4": date(2027, 10, 11), "2028-Q1": date(2028, 1, 10)}


def escalated_case(db, subject: str, level: int, applied: date, process="approval") -> int:
    """A case whose step was escalated to `level` on `applied` (what the sweep records)."""
    def work(uow) -> int:
        now = datetime.now(UTC)
        case = Case(process=process, process_version=1, status="in_progress",
                    station_code="st-06", subject=subject, accepted_on=applied,
                    due_on=applied, created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        item = WorkItem(case_id=case.id, step="department-review", step_key="r#1",
                        title=subject, form="approval", candidate_group="department:water",
                        status="open", due_on=applied, created_at=now)
        uow.session.add(item)
        uow.session.flush()
        for n in range(1, level + 1):
            uow.session.add(Escalation(work_item_id=item.id, case_id=case.id,
                                       ladder="department-deadline", level=n,
                                       name_zh=f"第{n}级", notified="x", due_on=applied,
                                       applied_on=applied, at=now))
        uow.commit()
        return case.id

    return db.run(work)


def convene(db, quarter: str):
    forum_id = forums.convene(db, calendar, rules, FORUM_DAY[quarter], None)
    return actions.get_forum(db, ORGANISER, rules, forum_id, FORUM_DAY[quarter])


@given("2027年第一季度有一件升级到第三级的案件和一件只到期预警的案件", target_fixture="seen")
def two_cases(db):
    on = QUARTER_START["2027-Q1"]
    return {"warned": escalated_case(db, "海景社区路灯维修", 1, on),
            "escalated": escalated_case(db, "未来海岸社区排水改造", 3, on)}


@when(parsers.parse("{year:d}年第{q}季度的红心论坛召集"))
def convene_quarter(db, seen, year, q):
    quarter = f"{year}-Q" + {"一": "1", "二": "2", "三": "3", "四": "4"}[q]
    seen["forum"] = convene(db, quarter)


@then("升级到第三级的案件排在只到期预警的案件之前")
def ranked(seen):
    order = [t.case_id for t in seen["forum"].topics]
    # the warned one may also fall below the cut (at most 8 topics, with other tests' cases)
    below = order.index(seen["warned"]) if seen["warned"] in order else len(order)
    assert order.index(seen["escalated"]) < below


@then("每个提出的议题都附有升级层级和超期天数作为依据")
def evidence(seen):
    topic = next(t for t in seen["forum"].topics if t.case_id == seen["escalated"])
    assert topic.evidence["escalation_level"] == 3
    assert topic.evidence["working_days_overdue"] > 0 and topic.score >= 30


@given(parsers.parse('{quarter}有一件升级到第二级的案件"{subject}"'), target_fixture="seen")
def seeded(db, quarter, subject):
    return {"case": escalated_case(db, subject, 2, QUARTER_START[quarter]), "subject": subject}


@when(parsers.parse("{quarter}的红心论坛召集"))
def convene_named(db, seen, quarter):
    seen["forum"] = convene(db, quarter)


@then(parsers.parse('提出的议题中有"{subject}"'))
def proposed(seen, subject):
    assert subject in [t.title for t in seen["forum"].topics]


@then("提出的议题中没有更早季度的升级案件")
def nothing_older(seen):
    earlier = {"祥露社区积水点整治", "海发社区噪声投诉", "凤山社区违建处置", "兴旺社区消防通道占用"}
    titles = {t.title for t in seen["forum"].topics}
    assert titles & earlier == {seen["subject"]}


@given("2027年第二季度有一项联席会议决议超期仍未办结", target_fixture="seen")
def overdue_resolution(db):
    def work(uow) -> int:
        now = datetime.now(UTC)
        case = Case(process="meeting-resolution", process_version=1, status="tracking",
                    department_code="transport", subject="决议督办：错时开放停车场",
                    accepted_on=date(2027, 4, 12), due_on=date(2027, 5, 10),
                    created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        uow.commit()
        return case.id

    return {"case": db.run(work)}


@then("该决议作为议题提出，注明是超期未办结的决议")
def resolution_topic(seen):
    topic = next(t for t in seen["forum"].topics if t.case_id == seen["case"])
    assert topic.evidence["open_resolution"] and topic.evidence["process"] == \
        "meeting-resolution"


@given(parsers.parse("{year:d}年第{q}季度的红心论坛已召集并提出了议题"), target_fixture="seen")
def convened_with_topics(db, year, q):
    quarter = f"{year}-Q" + {"一": "1", "四": "4"}[q]
    before = {"2027-Q4": "2027-Q3", "2028-Q1": "2027-Q4"}[quarter]
    for subject in ("社区食堂运营", "电动车充电桩"):
        escalated_case(db, subject, 2, QUARTER_START[before])
    forum = convene(db, quarter)
    work_items.open_item(db, forums.record_spec(forums.case_of(db, forum.id), rules))
    return {"forum": forum, "quarter": quarter}


def record(db, seen, data: ForumRecord):
    day = FORUM_DAY[seen["quarter"]]
    item, decision = forums.check_record(db, ORGANISER, seen["forum"].id, data, day, rules)
    work_items.decide(db, calendar, ORGANISER, item, decision, day)
    ids = forums.apply_record(db, calendar, seen["forum"].id, decision["content"], day)
    forums.open_follow_up(db, ids)
    return actions.get_forum(db, ORGANISER, rules, seen["forum"].id, day)


ATTENDED = ["secretary-dongfu-tianzhu", "secretary-xinyang-xingwang"]


@when('组织者记录论坛：选定第一项议题，增加"老旧小区物业管理"，各交由一个部门办理')
def record_two(db, seen):
    first = seen["forum"].topics[0].id
    seen["forum"] = record(db, seen, ForumRecord(
        held_on=FORUM_DAY[seen["quarter"]], attended=ATTENDED,
        topics=[{"topic_id": first}, {"title": "老旧小区物业管理"}],
        actions=[{"topic": 0, "text": "制定整改方案", "owner": "water", "working_days": 10},
                 {"topic": 1, "text": "物业服务评价办法", "owner": "housing-construction",
                  "working_days": 20}]))


@then("两项议定事项都进入责任部门的待办，带有办结期限")
def actions_queued(db, seen):
    acts = seen["forum"].actions
    assert [a.owner for a in acts] == ["water", "housing-construction"]
    assert acts[0].deadline == calendar.add_working_days(FORUM_DAY[seen["quarter"]], 10)
    for a in acts:
        owner = Actor(username=f"officer-{a.owner}", role=Role.OFFICER, department=a.owner)
        queue = work_items.queue(db, owner, work_items.QueueFilter(status="open"), limit=200,
                                 offset=0)
        assert any(i.case_id == a.case_id and i.due_on == a.deadline for i in queue)
    assert {t.title for t in seen["forum"].topics if t.status == "picked"} >= {"老旧小区物业管理"}


@then("出席的社区书记的档案中记有本次论坛")
def attended_recorded(db, seen):
    for person in ATTENDED:
        record_ = reserve.read(db, ORGANISER, rules, person)
        assert any(e.kind == "forum" and e.forum_id == seen["forum"].id
                   for e in record_.entries)


@when("组织者记录论坛时选定两项议题但只为一项形成议定事项")
def record_incomplete(db, seen):
    topics = [{"topic_id": t.id} for t in seen["forum"].topics[:2]]
    try:
        record(db, seen, ForumRecord(
            held_on=FORUM_DAY[seen["quarter"]], attended=ATTENDED, topics=topics,
            actions=[{"topic": 0, "text": "整改", "owner": "water", "working_days": 5}]))
    except InvalidInput as exc:
        seen["refused"] = exc


@then("记录被拒绝，指出每项议题都要有议定事项")
def incomplete_refused(db, seen):
    assert seen["refused"].field == "actions"
    forum = actions.get_forum(db, ORGANISER, rules, seen["forum"].id, date(2028, 1, 10))
    assert forum.status == "convened" and forum.actions == []


@when("组织者记录天竺社区书记在锦里社区实训，又记录其在区委党校培训", target_fixture="seen")
def trainings(db):
    person = "secretary-dongfu-tianzhu"
    reserve.record_training(db, ORGANISER, rules, person,
                            TrainingCreate(place="锦里社区", on=date(2026, 9, 15)))
    try:
        reserve.record_training(db, ORGANISER, rules, person,
                                TrainingCreate(place="区委党校", on=date(2026, 9, 20)))
    except InvalidInput as exc:
        return {"person": person, "refused": exc}
    return {"person": person}


@then("档案中有锦里社区的实训")
def training_recorded(db, seen):
    entries = reserve.read(db, ORGANISER, rules, seen["person"]).entries
    assert [e.place for e in entries if e.kind == "training"] == ["锦里社区"]


@then("区委党校的培训被拒绝，说明实训基地为锦里社区和润新社区")
def other_place_refused(seen):
    assert seen["refused"].field == "place"
    assert "锦里社区" in str(seen["refused"]) and "润新社区" in str(seen["refused"])


@given(parsers.parse("{name}书记参加红心论坛{forums_:d}次、在润新社区实训{n:d}次"),
       target_fixture="seen")
def history(db, name, forums_, n):
    person = f"secretary-{UNITS[name]}"

    def work(uow):  # what recording a forum adds to each secretary present
        for k in range(forums_):
            uow.session.add(ReserveEntry(person=person, kind="forum", on=date(2026, 4 + k, 10),
                                         recorded_by="process:red-forum",
                                         at=datetime.now(UTC)))
        uow.commit()

    db.run(work)
    for k in range(n):
        reserve.record_training(db, ORGANISER, rules, person,
                                TrainingCreate(place="润新社区", on=date(2026, 6, 1 + k)))
    return {"person": person}


@when(parsers.parse('组织者遴选其为书记助理，理由为"{reasons}"'))
def select(db, seen, reasons):
    try:
        seen["record"] = reserve.select_assistant(db, ORGANISER, rules, seen["person"],
                                                  SelectionCreate(selected=True,
                                                                  reasons=reasons,
                                                                  on=date(2026, 12, 1)))
    except InvalidInput as exc:
        seen["refused"] = exc


@then(parsers.parse("遴选{outcome}"))
def selection_outcome(db, seen, outcome):
    if outcome.startswith("被拒绝"):
        assert seen["refused"].field == "selected"
        wanted = "参加红心论坛1次（需2次）" if "论坛" in outcome else "实训基地培训0次（需1次）"
        assert wanted in str(seen["refused"])
        entries = reserve.read(db, ORGANISER, rules, seen["person"]).entries
        assert not [e for e in entries if e.kind == "selection"]
    else:
        selection = [e for e in seen["record"].entries if e.kind == "selection"]
        assert len(selection) == 1 and selection[0].selected
        assert "群众工作扎实" in selection[0].reasons
        assert "参加红心论坛2次" in selection[0].reasons
        assert selection[0].recorded_by == ORGANISER.username
