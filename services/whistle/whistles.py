"""Whistle-and-report's use cases (QL-14, LK-09b): whistle an issue, summon departments, their
reports, the climb of a whistle nobody answered in time, and no leaving before the end.

A whistle is blown on a work-layer case raised in a unit of the org tree (a grid issue): this
process reads the case through services/work only. Each summoned department gets a work item
on the case, in its queue; each level the whistle reaches is also an escalation of the late
departments' items, so the case's history shows it wherever cases are read."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, Role
from policies.escalation import Ladder
from policies.whistle.rules import (
    OPENING_LEVEL_ZH,
    TYPE_ZH,
    WhistleRules,
    WhistleType,
    next_level,
    withdrawal_refusal,
)
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.platform.identity import org_path
from services.whistle.models import Summons, Whistle, WhistleLevel
from services.work import cases, outbox, steps
from services.work.models import Case, Escalation, WorkItem
from services.work.work_items import WorkItemSpec

DISTRICT_TIME = ZoneInfo("Asia/Shanghai")
SWEEPER = Actor(username="process:whistle-sweep", role=Role.ADMIN)


class WhistleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: WhistleType
    reason: str = Field(min_length=2, max_length=2000,
                        description="why the handling level cannot solve it")
    departments: list[str] = Field(min_length=1, max_length=10)


class SummonsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    departments: list[str] = Field(min_length=1, max_length=10)


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=2, max_length=2000, description="who came and what they do")


class LevelRead(BaseModel):
    level: int
    name_zh: str
    notified: str
    late_departments: list[str]
    reached_at: datetime


class SummonsRead(BaseModel):
    department: str
    summoned_at: datetime
    summoned_at_level: int
    report_due_at: datetime
    reported_at: datetime | None
    reported_by: str | None
    reported_late: bool | None
    withdrawn_at: datetime | None


class WhistleRead(BaseModel):
    case_id: int
    kind: str
    kind_zh: str
    reason: str
    level: int
    level_name: str
    whistled_by: str
    opened_at: datetime
    levels: list[LevelRead]
    summons: list[SummonsRead]


def blow(db: Database, rules: WhistleRules, ladder: Ladder, actor: Actor, case_id: int,
         data: WhistleCreate, now: datetime) -> WhistleRead:
    """吹哨: the branch secretary (or a grid member for the branch) whistles the issue."""
    def work(uow) -> None:
        case, unit = _case(uow.session, actor, case_id)
        if actor.role not in (Role.SECRETARY, Role.GRID_MEMBER, Role.ADMIN) or not (
                access.can_write(actor, cases.scope_of(uow.session, case))):
            raise Forbidden("the branch (grid) or a secretary above it whistles")
        if case.finished_on is not None:
            raise Conflict("the issue is closed")
        if uow.session.scalar(select(Whistle.id).where(Whistle.case_id == case.id)):
            raise Conflict("the issue was whistled already; summon more departments instead")
        whistle = Whistle(case_id=case.id, kind=data.kind.value, reason=data.reason,
                          org_unit=unit, level=0, whistled_by=actor.username, opened_at=now)
        uow.session.add(whistle)
        uow.session.flush()
        uow.session.add(WhistleLevel(whistle_id=whistle.id, level=0, name_zh=OPENING_LEVEL_ZH,
                                     notified=f"secretary:{unit}", reached_at=now))
        audit.record(uow.session, actor, action="whistle.blown", subject_type="case",
                     subject_id=case.id, after={"kind": data.kind.value, "reason": data.reason,
                                                "level": 0, "departments": data.departments})
        _summon(uow.session, rules, actor, case, whistle, data.departments, now)
        uow.commit()

    db.run(work)
    return get(db, ladder, actor, case_id)


def summon(db: Database, rules: WhistleRules, ladder: Ladder, actor: Actor, case_id: int,
           data: SummonsCreate, now: datetime) -> WhistleRead:
    """A secretary on the whistle's way summons more departments."""
    def work(uow) -> None:
        case, _ = _case(uow.session, actor, case_id)
        whistle = _whistle(uow.session, case.id)
        if actor.role not in (Role.SECRETARY, Role.ADMIN) or not (
                access.can_write(actor, cases.scope_of(uow.session, case))):
            raise Forbidden("a secretary whose unit the issue is in summons departments")
        if case.finished_on is not None:
            raise Conflict("the issue is closed")
        _summon(uow.session, rules, actor, case, whistle, data.departments, now)
        uow.commit()

    db.run(work)
    return get(db, ladder, actor, case_id)


def _summon(session: Session, rules: WhistleRules, actor: Actor, case: Case,
            whistle: Whistle, departments: list[str], now: datetime) -> None:
    taken = set(session.scalars(select(Summons.department).where(
        Summons.whistle_id == whistle.id)))
    for index, code in enumerate(departments):
        if session.get(models.Department, code) is None:
            raise InvalidInput(f"no department '{code}'", field=f"departments.{index}")
        if code in taken:
            continue
        item = steps.open_in(session, WorkItemSpec(
            case_id=case.id, step=f"whistle-report-{code}", title=f"吹哨报到：{case.subject}"[:200],
            form="rectification", candidate_group=f"department:{code}", due="none",
            ladder=None, priority=90))
        due = rules.report_due(WhistleType(whistle.kind), now)
        session.add(Summons(whistle_id=whistle.id, department=code, work_item_id=item.id,
                            summoned_at=now, summoned_at_level=whistle.level,
                            report_due_at=due))
        audit.record(session, actor, action="whistle.summoned", subject_type="case",
                     subject_id=case.id, after={"department": code, "level": whistle.level,
                                                "report_due_at": due})
        outbox.notify(session, case_id=case.id, to=f"department:{code}",
                      subject=f"吹哨报到：{case.subject}"[:200],
                      body=f"请于 {due.astimezone(DISTRICT_TIME):%H:%M} 前报到")
        taken.add(code)


def report(db: Database, ladder: Ladder, actor: Actor, case_id: int, data: Report,
           now: datetime) -> WhistleRead:
    """报到: a summoned department answers; the time is recorded, late or not."""
    def work(uow) -> None:
        case, summons = _own_summons(uow.session, actor, case_id)
        if summons.reported_at is not None:
            raise Conflict(f"{summons.department} reported already at {summons.reported_at}")
        summons.reported_at, summons.reported_by = now, actor.username
        item = uow.session.get(WorkItem, summons.work_item_id)
        steps.complete_in(uow.session, actor, item, {"actions": data.note})
        audit.record(uow.session, actor, action="whistle.reported", subject_type="case",
                     subject_id=case.id, after={"department": summons.department,
                                                "late": now > _aware(summons.report_due_at),
                                                "note": data.note})
        uow.commit()

    db.run(work)
    return get(db, ladder, actor, case_id)


def withdraw(db: Database, ladder: Ladder, actor: Actor, case_id: int,
             now: datetime) -> WhistleRead:
    """事不完，人不撤: refused until the issue is closed."""
    def work(uow) -> None:
        case, summons = _own_summons(uow.session, actor, case_id)
        if reason := withdrawal_refusal(case.finished_on is not None):
            raise Conflict(reason)
        summons.withdrawn_at = now
        audit.record(uow.session, actor, action="whistle.withdrawn", subject_type="case",
                     subject_id=case.id, after={"department": summons.department})
        uow.commit()

    db.run(work)
    return get(db, ladder, actor, case_id)


def get(db: Database, ladder: Ladder, actor: Actor, case_id: int) -> WhistleRead:
    with db.reading() as uow:
        case, _ = _case(uow.session, actor, case_id)
        whistle = _whistle(uow.session, case.id)
        levels = [LevelRead(level=v.level, name_zh=v.name_zh, notified=v.notified,
                            late_departments=v.late_departments.split(",")
                            if v.late_departments else [], reached_at=v.reached_at)
                  for v in uow.session.scalars(select(WhistleLevel).where(
                      WhistleLevel.whistle_id == whistle.id).order_by(WhistleLevel.level))]
        summons = uow.session.scalars(select(Summons).where(
            Summons.whistle_id == whistle.id).order_by(Summons.id))
        return WhistleRead(
            case_id=case.id, kind=whistle.kind, kind_zh=TYPE_ZH[WhistleType(whistle.kind)],
            reason=whistle.reason, level=whistle.level,
            level_name=level_name(ladder, whistle.level), whistled_by=whistle.whistled_by,
            opened_at=whistle.opened_at,
            levels=levels, summons=[_summons_read(s, {d for v in levels
                                                      for d in v.late_departments})
                                    for s in summons])


def level_name(ladder: Ladder, level: int) -> str:
    return OPENING_LEVEL_ZH if level == 0 else ladder.levels[level - 1].name_zh


def _summons_read(s: Summons, named_late: set[str]) -> SummonsRead:
    """Late: it reported after its deadline, or a level was reached because it had not."""
    late = None if s.reported_at is None else (
        s.department in named_late or _aware(s.reported_at) > _aware(s.report_due_at))
    return SummonsRead(department=s.department, summoned_at=s.summoned_at,
                       summoned_at_level=s.summoned_at_level, report_due_at=s.report_due_at,
                       reported_at=s.reported_at, reported_by=s.reported_by,
                       reported_late=late, withdrawn_at=s.withdrawn_at)


def sweep(db: Database, rules: WhistleRules, ladder: Ladder, now: datetime | None = None
          ) -> list[tuple[int, int]]:
    """Climb every whistle whose summoned departments are late, one level per deadline
    missed (a late sweep catches up); returns (case, level reached) pairs."""
    now = now or datetime.now(UTC)
    with db.reading() as uow:
        open_whistles = list(uow.session.scalars(select(Whistle.id).join(
            Case, Case.id == Whistle.case_id).where(Case.finished_on.is_(None),
                                                    Whistle.level < len(ladder.levels))))
    climbed: list[tuple[int, int]] = []
    for whistle_id in open_whistles:
        try:
            climbed += db.run(lambda uow, w=whistle_id: _climb(uow, rules, ladder, w, now))
        except IntegrityError:
            continue  # a concurrent sweep reached that level first: nothing lost or doubled
    return climbed


def _climb(uow, rules: WhistleRules, ladder: Ladder, whistle_id: int, now: datetime
           ) -> list[tuple[int, int]]:
    whistle = uow.session.get(Whistle, whistle_id, with_for_update=True)
    climbed = []
    while True:
        waiting = list(uow.session.scalars(select(Summons).where(
            Summons.whistle_id == whistle.id, Summons.reported_at.is_(None))))
        late = [s for s in waiting if _aware(s.report_due_at) <= now]
        level = next_level(whistle.level, len(ladder.levels), bool(late))
        if level is None:
            break
        reached = min(_aware(s.report_due_at) for s in late)
        _reach(uow.session, ladder.levels[level - 1], whistle, late, reached)
        for s in waiting:  # the time starts again at the new level
            s.report_due_at = rules.report_due(WhistleType(whistle.kind), reached)
        climbed.append((whistle.case_id, level))
    uow.commit()
    return climbed


def _reach(session: Session, step, whistle: Whistle, late: list[Summons],
           at: datetime) -> None:
    to = _secretary(session, whistle.org_unit, step.notify.removesuffix("-secretary"))
    departments = sorted(s.department for s in late)
    whistle.level = step.level
    session.add(WhistleLevel(whistle_id=whistle.id, level=step.level, name_zh=step.name_zh,
                             notified=to, late_departments=",".join(departments),
                             reached_at=at))
    for s in late:
        session.add(Escalation(
            work_item_id=s.work_item_id, case_id=whistle.case_id, ladder="whistle",
            level=step.level, name_zh=step.name_zh, notified=to, due_on=None,
            applied_on=at.astimezone(DISTRICT_TIME).date(), at=at))
    audit.record(session, SWEEPER, action="whistle.escalated", subject_type="case",
                 subject_id=whistle.case_id, after={"level": step.level,
                                                    "name_zh": step.name_zh, "notified": to,
                                                    "late": departments})
    outbox.notify(session, case_id=whistle.case_id, to=to, subject=f"{step.name_zh}",
                  body=f"未按时报到的部门：{'、'.join(departments)}")


def _secretary(session: Session, unit: str, level: str) -> str:
    for code in org_path(session, unit):
        if session.get(models.OrgUnit, code).level == level:
            return f"secretary:{code}"
    return f"secretary:{unit}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _case(session: Session, actor: Actor, case_id: int) -> tuple[Case, str]:
    case = session.get(Case, case_id)
    unit = case and cases.unit_of(case)
    if unit is None or not (access.can_read(actor, cases.scope_of(session, case))
                            or _is_summoned(session, actor, case_id)):
        raise NotFound(f"no issue {case_id}")
    return case, unit


def _is_summoned(session: Session, actor: Actor, case_id: int) -> bool:
    return actor.department is not None and session.scalar(
        select(Summons.id).join(Whistle, Whistle.id == Summons.whistle_id).where(
            Whistle.case_id == case_id, Summons.department == actor.department)) is not None


def _whistle(session: Session, case_id: int) -> Whistle:
    whistle = session.scalar(select(Whistle).where(Whistle.case_id == case_id))
    if whistle is None:
        raise NotFound(f"issue {case_id} was not whistled")
    return whistle


def _own_summons(session: Session, actor: Actor, case_id: int) -> tuple[Case, Summons]:
    case, _ = _case(session, actor, case_id)
    whistle = _whistle(session, case.id)
    summons = session.scalar(select(Summons).where(
        Summons.whistle_id == whistle.id, Summons.department == actor.department))
    if summons is None:
        raise Forbidden("only a summoned department reports or withdraws")
    return case, summons
