"""会签 (all must sign), 或签 (any may sign) and 加签 (add a signer) on a real database."""

import threading
from datetime import date

import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from services.platform.db import models
from services.platform.errors import Conflict
from services.platform.reference_data import read_calendar
from services.work import cases, work_items
from services.work.cases import CaseCreate
from services.work.work_items import StageSpec

calendar = read_calendar()
TODAY = date(2026, 3, 9)
clerk = Actor(username="clerk-st-04", role=Role.CLERK, station="st-04")
DEPARTMENTS = ["civil-affairs", "health", "housing-construction"]


def officer(department: str) -> Actor:
    return Actor(username=f"officer-{department}", role=Role.OFFICER, department=department)


@pytest.fixture
def stage(db, request):
    mode = request.param
    case = cases.start_case(db, calendar, clerk, CaseCreate(
        service="S001", station="st-04", subject="联合审查"), TODAY)
    spec = StageSpec(case_id=case.id, step="joint-review", mode=mode, title="联合审查",
                     form="approval", groups=[f"department:{d}" for d in DEPARTMENTS],
                     flow_run_id="00000000-0000-0000-0000-00000000f10a")
    items = {i.candidate_group.split(":")[1]: i for i in work_items.open_stage(db, spec)}
    return case, items


def resumes_for(db, case_id: int) -> list[dict]:
    key = work_items.stage_pause_key(case_id, "joint-review#1")
    with db.reading() as uow:
        rows = uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.kind == "resume_flow_run"))
        return [r.payload for r in rows if r.payload["pause_key"] == key]


def approve(db, department: str, item_id: int):
    return work_items.decide(db, calendar, officer(department), item_id,
                             {"outcome": "approve"}, TODAY)


@pytest.mark.parametrize("stage", ["all"], indirect=True)
def test_countersign_resumes_only_when_everyone_has_signed(db, stage):
    case, items = stage
    approve(db, "civil-affairs", items["civil-affairs"].id)
    approve(db, "health", items["health"].id)
    assert resumes_for(db, case.id) == []
    approve(db, "housing-construction", items["housing-construction"].id)
    [resume] = resumes_for(db, case.id)
    assert set(resume["run_input"]["decisions"]) == {f"department:{d}" for d in DEPARTMENTS}


@pytest.mark.parametrize("stage", ["any"], indirect=True)
def test_any_sign_resumes_at_the_first_and_withdraws_the_others(db, stage):
    case, items = stage
    approve(db, "health", items["health"].id)
    [resume] = resumes_for(db, case.id)
    assert list(resume["run_input"]["decisions"]) == ["department:health"]
    other = work_items.get(db, officer("civil-affairs"), items["civil-affairs"].id)
    assert other.status == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        approve(db, "civil-affairs", items["civil-affairs"].id)


def test_last_signatures_arriving_at_the_same_instant_resume_exactly_once(db):
    """Twenty stages, each finished by two signatures released at the same instant."""
    stages = []
    for n in range(20):
        case = cases.start_case(db, calendar, clerk, CaseCreate(
            service="S001", station="st-04", subject=f"并发会签 {n}"), TODAY)
        spec = StageSpec(case_id=case.id, step="joint-review", mode="all", title="联合审查",
                         form="approval", groups=["department:health", "department:education"],
                         flow_run_id="00000000-0000-0000-0000-00000000f10b")
        stages.append((case, work_items.open_stage(db, spec)))
    for _, items in stages:
        start = threading.Barrier(len(items))

        def sign(item, start=start):
            start.wait()
            approve(db, item.candidate_group.split(":")[1], item.id)

        threads = [threading.Thread(target=sign, args=(i,)) for i in items]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [len(resumes_for(db, case.id)) for case, _ in stages] == [1] * 20


@pytest.mark.parametrize("stage", ["all"], indirect=True)
def test_a_signer_added_before_must_sign_first(db, stage, client, login):
    case, items = stage
    work_items.claim(db, officer("health"), items["health"].id)
    added = client.post(f"/api/v1/work-items/{items['health'].id}/add-signer",
                        headers=login("officer-health"),
                        json={"group": "department:ecology-environment", "position": "before"})
    assert added.status_code == 200, added.text
    with pytest.raises(Conflict, match="前加签"):
        approve(db, "health", items["health"].id)
    added = [i for i in work_items.queue(db, officer("ecology-environment"),
                                         work_items.QueueFilter(), limit=50, offset=0)
             if i.case_id == case.id]
    assert len(added) == 1
    approve(db, "ecology-environment", added[0].id)
    approve(db, "health", items["health"].id)
    approve(db, "civil-affairs", items["civil-affairs"].id)
    assert resumes_for(db, case.id) == []  # housing-construction has not signed yet
    approve(db, "housing-construction", items["housing-construction"].id)
    [resume] = resumes_for(db, case.id)
    assert len(resume["run_input"]["decisions"]) == 4
