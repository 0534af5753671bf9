"""What the platform itself puts forward for a body's agenda (QL-10b: 三级信息平台推送的工作任务):
cases in the body's area that are overdue or were escalated to its secretary, and the body's
own resolutions now overdue (carried over with their history). Read through the work layer's
tables only: another process's cases are cases, nothing more."""

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from policies.meetings.bodies import Body
from policies.meetings.resolutions import OPEN
from services.meetings.models import Resolution
from services.platform.db import models
from services.work.models import Case, Escalation

IN_PROGRESS = "in_progress"


def proposed_items(session: Session, body: Body, today: date, limit: int
                   ) -> list[dict[str, Any]]:
    """Carried-over resolutions first, then escalated cases, then the most overdue ones; at
    most `limit` cases (the agenda of a meeting, not a report of everything open)."""
    carried = [_carried(r) for r in session.scalars(select(Resolution).where(
        Resolution.body_code == body.code, Resolution.status.in_(OPEN),
        Resolution.deadline < today).order_by(Resolution.deadline))]
    escalated = _escalated(session, body, limit)
    overdue = _overdue(session, body, today, limit + len(escalated))
    seen = {e["case_id"] for e in escalated}
    cases = escalated + [o for o in overdue if o["case_id"] not in seen]
    return carried + cases[:limit]


def in_area(stmt: Select, body: Body) -> Select:
    """Cases handled at stations in the body's area (the district: every station)."""
    stmt = stmt.join(models.Station, models.Station.code == Case.station_code)
    if body.level == "street":
        return stmt.where(models.Station.street_code == body.code)
    if body.level == "community":
        return stmt.where(models.Station.community_code == body.code)
    return stmt


def _overdue(session: Session, body: Body, today: date, limit: int) -> list[dict[str, Any]]:
    stmt = in_area(select(Case), body).where(
        Case.status == IN_PROGRESS, Case.due_on < today).order_by(Case.due_on, Case.id)
    return [_case_item(c, "overdue-case", f"超期：{c.subject}",
                       {"due_on": c.due_on.isoformat(), "days_overdue": (today - c.due_on).days})
            for c in session.scalars(stmt.limit(limit))]


def _escalated(session: Session, body: Body, limit: int) -> list[dict[str, Any]]:
    """Escalated to this body's secretary, or, for the district, to the district's centre."""
    targets = [f"secretary:{body.code}"] + (
        ["one-stop-centre"] if body.level == "district" else [])
    levels = (select(Escalation.case_id, func.max(Escalation.level).label("level"),
                     func.max(Escalation.name_zh).label("name_zh"))
              .where(Escalation.notified.in_(targets)).group_by(Escalation.case_id).subquery())
    stmt = (select(Case, levels.c.level, levels.c.name_zh)
            .join(levels, levels.c.case_id == Case.id)
            .where(Case.status == IN_PROGRESS).order_by(Case.due_on, Case.id).limit(limit))
    return [_case_item(c, "escalated-case", f"升级：{c.subject}",
                       {"due_on": c.due_on and c.due_on.isoformat(), "level": level,
                        "escalation": name})
            for c, level, name in session.execute(stmt)]


def _case_item(case: Case, source: str, title: str, evidence: dict[str, Any]
               ) -> dict[str, Any]:
    return {"source": source, "title": title[:200], "case_id": case.id,
            "detail": f"案件{case.id}（{case.process}），办理站点{case.station_code}，"
                      f"承办部门{case.department_code or '—'}",
            "evidence": evidence | {"station": case.station_code,
                                    "department": case.department_code}}


def _carried(r: Resolution) -> dict[str, Any]:
    return {"source": "carried-resolution", "title": f"未按期办结的决议：{r.text[:60]}",
            "resolution_id": r.id, "case_id": None,
            "detail": f"{r.kind}，责任单位{r.owner}，期限{r.deadline}，进度{r.percent}%",
            "evidence": {"deadline": r.deadline.isoformat(), "percent": r.percent,
                         "status": r.status, "from_meeting": r.meeting_id}}
