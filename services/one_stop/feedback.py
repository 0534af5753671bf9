"""Visits, feedback and ratings of one-stop applications (HC-11e, HC-14a, HC-03)."""

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, Role
from policies.calendar import WorkingCalendar
from policies.one_stop.feedback import (
    ENDED,
    GRADE_ZH,
    RECTIFICATION_WORKING_DAYS,
    Grade,
    is_bad,
    kept_visit_promise,
    visits_allowed,
)
from policies.work_items import group_of
from services.one_stop.models import Rating, Visit
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, NotFound
from services.work import cases
from services.work.models import Case
from services.work.work_items import WorkItemSpec
from services.work.work_items.store import open_step


class VisitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(min_length=1, max_length=200)


class VisitRead(BaseModel):
    visits: int
    allowed: int
    within_promise: bool


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: Grade = Field(description="5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意")
    comment: str | None = Field(default=None, max_length=2000)


class RatingRead(BaseModel):
    grade: Grade
    grade_zh: str
    rectification_item: int | None
    call_back_item: int | None


def record_visit(db: Database, actor: Actor, case_id: int, data: VisitCreate) -> VisitRead:
    """Every visit is recorded, also one that breaks the promise: the report must show it."""
    if actor.role is not Role.CLERK and actor.role is not Role.ADMIN:
        raise Forbidden("visits are recorded at a station's counter")

    def work(uow) -> VisitRead:
        case, service = _application(uow.session, actor, case_id)
        uow.session.add(Visit(case_id=case.id, purpose=data.purpose,
                                     station_code=actor.station or case.station_code,
                                     recorded_by=actor.username, at=datetime.now(UTC)))
        uow.session.flush()
        count = uow.session.scalar(select(func.count()).select_from(Visit).where(
            Visit.case_id == case.id))
        allowed = visits_allowed(service.no_meeting)
        audit.record(uow.session, actor, action="application.visit", subject_type="case",
                     subject_id=case.id, after={"visits": count, "allowed": allowed},
                     note=data.purpose)
        uow.commit()
        return VisitRead(visits=count, allowed=allowed,
                         within_promise=kept_visit_promise(count, service.no_meeting))

    return db.run(work)


def rate(db: Database, calendar: WorkingCalendar, actor: Actor, case_id: int,
         data: RatingCreate, today: date) -> RatingRead:
    """One rating per ended case; a bad one opens a rectification for the department (15
    working days) and a call-back to the applicant for the station."""
    def work(uow) -> RatingRead:
        case, _ = _application(uow.session, actor, case_id)
        if case.status not in ENDED:
            raise Conflict("a case is rated once it has ended")
        uow.session.add(Rating(case_id=case.id, grade=int(data.grade),
                                      comment=data.comment, at=datetime.now(UTC)))
        uow.session.flush()
        audit.record(uow.session, actor, action="application.rated", subject_type="case",
                     subject_id=case.id, after={"grade": int(data.grade)}, note=data.comment)
        rectify = call_back = None
        if is_bad(data.grade):
            rectify, call_back = _follow_up(uow.session, calendar, case, data, today)
        uow.commit()
        return RatingRead(grade=data.grade, grade_zh=GRADE_ZH[data.grade],
                          rectification_item=rectify, call_back_item=call_back)

    try:
        return db.run(work)
    except IntegrityError:
        raise Conflict("this case has been rated already; a rating is given once") from None


def _follow_up(session: Session, calendar: WorkingCalendar, case: Case,
               data: RatingCreate, today: date) -> tuple[int, int]:
    rectify = open_step(session, WorkItemSpec(
        case_id=case.id, step="rectification", title=f"差评整改：{case.subject}",
        form="rectification", candidate_group=group_of("department", case.department_code),
        due_on=calendar.add_working_days(today, RECTIFICATION_WORKING_DAYS)),
        step_key="rectification")
    call_back = open_step(session, WorkItemSpec(
        case_id=case.id, step="call-back", title=f"差评回访：{case.receipt_no}",
        form="call-back", candidate_group=group_of("station", case.station_code), due="none",
        deadline_kind=None, ladder=None), step_key="call-back")
    return rectify.id, call_back.id


def _application(session: Session, actor: Actor, case_id: int):
    case = session.get(Case, case_id)
    if case is None or case.receipt_no is None or not access.can_write(
            actor, cases.scope_of(session, case)):
        raise NotFound(f"no application {case_id}")
    return case, session.get(models.Service, case.service_code)
