"""Steps of the grid loop features (QL-07, LK-06, HC-03), on the use cases; the same loop runs
through HTTP in tests/api/grid and on a real stack in tests/e2e/grid."""

from datetime import date

import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import select

from policies.access import Actor, Role
from services.grid import issues
from services.grid.issues import Evaluation, Feedback, IssueReport, Resolution, Supervision
from services.grid.reference import read_catalogue
from services.platform.db import models
from services.platform.errors import Conflict
from services.platform.reference_data import read_calendar
from services.work import work_items
from services.work.work_items import QueueFilter

scenarios("grid/grid_loop.feature")

calendar, catalogue = read_calendar(), read_catalogue()
G01 = "haicang-street-haicang-g01"
MEMBER = Actor(username="grid-g01-features", role=Role.GRID_MEMBER, org_unit=G01)
WATER = Actor(username="officer-water", role=Role.OFFICER, department="water")
SECRETARY = Actor(username="secretary-haicang-street-haicang", role=Role.SECRETARY,
                  org_unit="haicang-street-haicang")
ADMIN = Actor(username="admin", role=Role.ADMIN)
CATEGORIES = {c.name_zh: c.code for c in catalogue.categories}
RATINGS = {"满意": "satisfied", "基本满意": "basically-satisfied", "不满意": "dissatisfied"}
ON = date(2026, 11, 2)


def names(db) -> dict[str, str]:
    with db.reading() as uow:
        found = {f"org:{u.code}": u.name_zh for u in uow.session.scalars(select(models.OrgUnit))}
        return found | {f"department:{d.code}": d.name_zh
                        for d in uow.session.scalars(select(models.Department))}


def drain(db):
    return issues.report(db, catalogue, calendar, MEMBER, IssueReport(
        category="drain-blocked", description="沧江花园1号楼前下水道堵塞", grid=G01,
        building="沧江花园1号楼", channel="resident", raiser_name="李阿姨",
        raiser_phone="13912345678"), ON)


def supervised(db, handler=WATER):
    issue = drain(db)
    issues.resolve(db, catalogue, handler, issue.id, Resolution(result="已疏通"), ON)
    return issues.supervise(db, catalogue, SECRETARY, issue.id,
                            Supervision(passed=True, method="on-site"))


def told(db, issue_id: int, message: str = "下水道已疏通"):
    return issues.feedback(db, catalogue, MEMBER, issue_id, Feedback(message=message))


@pytest.fixture
def issue() -> dict:
    return {}


@when(parsers.parse('网格员于{day}在海沧社区第一网格上报一件"{category}"'),
      target_fixture="seen")
def report_category(db, day, category):
    filed = issues.report(db, catalogue, calendar, MEMBER, IssueReport(
        category=CATEGORIES[category], description=f"巡查发现{category}", grid=G01),
        date.fromisoformat(day))
    return {"issue": filed}


@then(parsers.parse("这件事项由{handler}办理"))
def handled_by(db, seen, handler):
    assert names(db)[seen["issue"].handler_group] == handler


@then(parsers.parse("应于{day}前办结"))
def due(seen, day):
    assert seen["issue"].due_on == date.fromisoformat(day)


@given("李阿姨反映沧江花园1号楼前下水道堵塞，海沧区水利局已报告疏通")
def resolved(db, issue):
    issue["id"] = drain(db).id
    issues.resolve(db, catalogue, WATER, issue["id"], Resolution(result="已疏通"), ON)


@given("李阿姨反映沧江花园1号楼前下水道堵塞，系统管理员代水利局报告已疏通")
def resolved_by_admin(db, issue):
    issue["id"] = drain(db).id
    issues.resolve(db, catalogue, ADMIN, issue["id"], Resolution(result="已疏通"), ON)


@given("海沧社区书记现场督查合格")
def passes(db, issue):
    issues.supervise(db, catalogue, SECRETARY, issue["id"],
                     Supervision(passed=True, method="on-site"))


@when("网格员要办结这件事项", target_fixture="seen")
def try_close(db, issue):
    with pytest.raises(Conflict) as refused:
        issues.close(db, catalogue, MEMBER, issue["id"], ON)
    return {"refused": refused.value.detail}


@then(parsers.parse("办结被拒绝，因为{reason}"))
def close_refused(seen, reason):
    assert reason in seen["refused"]


@when(parsers.parse('海沧社区书记现场督查不合格，理由是"{reasons}"'), target_fixture="seen")
def fails(db, issue, reasons):
    return {"issue": issues.supervise(db, catalogue, SECRETARY, issue["id"], Supervision(
        passed=False, method="on-site", reasons=reasons))}


@then(parsers.parse('这件事项回到海沧区水利局的待办，理由是"{reasons}"'))
def back_to_water(db, seen, reasons):
    assert seen["issue"].status == "handling"
    queue = work_items.queue(db, WATER, QueueFilter(candidate_group="department:water"),
                             limit=200, offset=0)
    waiting = [i for i in queue if i.case_id == seen["issue"].id and i.status == "open"]
    assert len(waiting) == 1 and reasons in waiting[0].title


@when("系统管理员要督查这件事项", target_fixture="seen")
def admin_supervises(db, issue):
    with pytest.raises(Conflict) as refused:
        issues.supervise(db, catalogue, ADMIN, issue["id"],
                         Supervision(passed=True, method="on-site"))
    return {"refused": refused.value.detail}


@then("督查被拒绝，因为办理人不能督查自己办理的事项")
def supervision_refused(seen):
    assert "cannot supervise" in seen["refused"]


@given("李阿姨反映的下水道堵塞已督查合格并告知了她结果")
def ready_to_evaluate(db, issue):
    issue["id"] = supervised(db).id
    told(db, issue["id"])


@given("李阿姨反映的下水道堵塞已因不满意重新办理过一次，再次督查合格并告知了她结果")
def reopened_once(db, issue):
    issue["id"] = supervised(db).id
    told(db, issue["id"])
    issues.evaluate(db, catalogue, MEMBER, issue["id"], Evaluation(rating="dissatisfied"), ON)
    issues.resolve(db, catalogue, WATER, issue["id"], Resolution(result="再次疏通"), ON)
    issues.supervise(db, catalogue, SECRETARY, issue["id"],
                     Supervision(passed=True, method="on-site"))
    told(db, issue["id"])


@when(parsers.parse('李阿姨评价"{rating}"'), target_fixture="seen")
def evaluates(db, issue, rating):
    return {"issue": issues.evaluate(db, catalogue, MEMBER, issue["id"],
                                     Evaluation(rating=RATINGS[rating]), ON)}


@then(parsers.parse("这件事项{outcome}"))
def outcome(db, seen, outcome):
    expected = {"办结": ("closed", None),
                "重新交海沧区水利局办理": ("handling", "department:water"),
                "交海沧社区书记办理": ("handling", "org:haicang-street-haicang")}[outcome]
    got = seen["issue"]
    assert got.status == expected[0]
    if expected[1]:
        assert got.handler_group == expected[1]


@given("李阿姨反映的下水道堵塞已督查合格")
def only_supervised(db, issue):
    issue["id"] = supervised(db).id


@when(parsers.parse('网格员把"{message}"告诉李阿姨，李阿姨评价"{rating}"'),
      target_fixture="seen")
def feedback_and_evaluate(db, issue, message, rating):
    told(db, issue["id"], message)
    return {"issue": issues.evaluate(db, catalogue, MEMBER, issue["id"],
                                     Evaluation(rating=RATINGS[rating]), ON)}


@then(parsers.parse('李阿姨的手机收到了"{message}"'))
def sms(db, seen, message):
    with db.reading() as uow:
        sent = [m.payload for m in uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.kind == "notify"))]
    assert any(p["case_id"] == seen["issue"].id and p["to"] == "sms:13912345678"
               and p["body"] == message for p in sent)
