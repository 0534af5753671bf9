from datetime import date

import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from services.platform.db import models
from services.platform.reference_data import read_calendar, read_ladders
from services.work import cases, escalations, work_items
from services.work.cases import CaseCreate
from services.work.work_items import WorkItemSpec

calendar, ladders = read_calendar(), read_ladders()
clerk = Actor(username="clerk-st-03", role=Role.CLERK, station="st-03")
officer = Actor(username="officer-civil-affairs", role=Role.OFFICER, department="civil-affairs")
OPENED = date(2026, 3, 2)


@pytest.fixture
def waiting_item(db):
    service = next(s for s in db_services(db) if s.department_code == "civil-affairs"
                   and not s.on_the_spot)
    case = cases.start_case(db, calendar, clerk, CaseCreate(
        service=service.code, station="st-03", subject="逾期测试"), OPENED)
    item = work_items.open_item(db, WorkItemSpec(
        case_id=case.id, step="department-review", title="审批", form="approval",
        candidate_group="department:civil-affairs"))
    return case, item


def db_services(db):
    with db.reading() as uow:
        return uow.session.scalars(select(models.Service).order_by(models.Service.code)).all()


def test_each_level_is_applied_once_however_often_the_sweep_runs(db, waiting_item):
    case, item = waiting_item
    late = calendar.add_working_days(item.due_on, 3)
    first = escalations.sweep(db, calendar, ladders, late)
    again = escalations.sweep(db, calendar, ladders, late)
    mine = [a for a in first if a.work_item_id == item.id]
    assert [(a.level, a.notified) for a in mine] == [
        (1, "department:civil-affairs"), (2, "head:civil-affairs"), (3, "one-stop-centre")]
    assert [a for a in again if a.work_item_id == item.id] == []
    assert [a.level for a in escalations.escalations_of(db, case.id)] == [1, 2, 3]


def test_a_decided_item_is_not_escalated(db, waiting_item, settings):
    case, item = waiting_item
    work_items.decide(db, calendar, officer, item.id, {"outcome": "approve"}, OPENED)
    late = calendar.add_working_days(item.due_on, 5)
    assert [a for a in escalations.sweep(db, calendar, ladders, late)
            if a.case_id == case.id] == []


def test_no_escalation_while_the_applicant_corrects(db, waiting_item):
    case, item = waiting_item
    work_items.decide(db, calendar, officer, item.id,
                      {"outcome": "return", "corrections": ["身份证复印件"]}, OPENED)
    second = work_items.open_item(db, WorkItemSpec(
        case_id=case.id, step="department-review", attempt=2, title="审批",
        form="approval", candidate_group="department:civil-affairs"))
    late = calendar.add_working_days(second.due_on, 5)
    assert [a for a in escalations.sweep(db, calendar, ladders, late)
            if a.case_id == case.id] == []
