"""The one-stop dashboard: per station, per service and per channel (at a counter or online),
how applications fare. An online application counts at the station that handles it."""

import statistics
from collections import defaultdict
from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select

from policies.access import Actor, Role
from policies.calendar import WorkingCalendar
from policies.deadlines import is_overdue
from policies.one_stop.feedback import Grade
from services.one_stop.models import Rating, Visit
from services.platform.db.uow import Database
from services.platform.errors import Forbidden
from services.work.models import Case


class Row(BaseModel):
    key: str
    received: int
    decided_on_the_spot: int
    in_progress: int
    overdue: int
    median_working_days_to_decision: float | None
    share_at_most_one_visit: float | None
    share_zero_visits: float | None
    satisfaction: float | None  # share of ratings 满意 or better


class Dashboard(BaseModel):
    as_of: date
    by_station: list[Row]
    by_service: list[Row]
    by_channel: list[Row]


def one_stop(db: Database, calendar: WorkingCalendar, actor: Actor, today: date) -> Dashboard:
    if actor.role not in (Role.ADMIN, Role.AUDITOR, Role.SECRETARY):
        raise Forbidden("the dashboard is for the centre, supervisors and auditors")
    with db.reading() as uow:
        applications = uow.session.scalars(select(Case).where(
            Case.receipt_no.is_not(None))).all()
        visits = dict(uow.session.execute(select(Visit.case_id, func.count()).group_by(
            Visit.case_id)).tuples().all())
        grades = dict(uow.session.execute(select(Rating.case_id, Rating.grade)
                                          ).tuples().all())
    rows = [_facts(c, visits.get(c.id, 0), grades.get(c.id), calendar, today)
            for c in applications]
    return Dashboard(as_of=today, by_station=_summarise(rows, "station"),
                     by_service=_summarise(rows, "service"),
                     by_channel=_summarise(rows, "channel"))


def _facts(case: Case, visits: int, grade: int | None, calendar: WorkingCalendar,
           today: date) -> dict:
    open_ = case.status in ("awaiting_materials", "in_progress")
    ended = case.finished_on is not None and case.accepted_on is not None
    return {
        "station": case.station_code, "service": case.service_code,
        "channel": (case.details or {}).get("channel", "station"),
        "on_the_spot": bool((case.outcome or {}).get("on_the_spot")), "open": open_,
        "overdue": is_overdue(open_, case.due_on, today),
        "days": calendar.working_days_between(case.accepted_on, case.finished_on)
        if ended else None,
        "visits": visits, "ended": case.status in ("approved", "rejected"), "grade": grade,
    }


def _summarise(rows: list[dict], by: str) -> list[Row]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[by]].append(row)
    return [_row(key, group) for key, group in sorted(groups.items())]


def _row(key: str, group: list[dict]) -> Row:
    ended = [r for r in group if r["ended"]]
    days = [r["days"] for r in group if r["days"] is not None]
    rated = [r["grade"] for r in group if r["grade"] is not None]
    return Row(
        key=key, received=len(group),
        decided_on_the_spot=sum(r["on_the_spot"] for r in group),
        in_progress=sum(r["open"] for r in group), overdue=sum(r["overdue"] for r in group),
        median_working_days_to_decision=statistics.median(days) if days else None,
        share_at_most_one_visit=_share(ended, lambda r: r["visits"] <= 1),
        share_zero_visits=_share(ended, lambda r: r["visits"] == 0),
        satisfaction=_share(rated, lambda g: g >= Grade.SATISFIED) if rated else None)


def _share(items: list, test) -> float | None:
    return round(sum(1 for i in items if test(i)) / len(items), 3) if items else None
