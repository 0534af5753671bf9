"""The one-stop dashboard's headline figures for the whole district, recorded daily by the
`dashboard-figures` flow so that auditors see them over time (the handbook's figures page):
deadline compliance, the 最多跑一次 and 零跑动 shares (HC-11d), satisfaction (HC-03), what is
open and overdue. Same definitions as the dashboard (services/one_stop/dashboard.py)."""

from datetime import date

from sqlalchemy import func, select

from policies.calendar import WorkingCalendar
from services.one_stop import dashboard
from services.one_stop.models import Rating, Visit
from services.platform.db.uow import Database
from services.platform.figures import Figure
from services.work.models import Case

PROCESS = "one_stop"  # the process's code in the clause registry


def figures(db: Database, calendar: WorkingCalendar, today: date) -> list[Figure]:
    with db.reading() as uow:
        applications = uow.session.scalars(select(Case).where(
            Case.receipt_no.is_not(None))).all()
        visits = dict(uow.session.execute(select(Visit.case_id, func.count()).group_by(
            Visit.case_id)).tuples().all())
        grades = dict(uow.session.execute(select(Rating.case_id, Rating.grade)).tuples().all())
        # The dashboard's own per-application facts and summary row, over the whole district.
        district = dashboard._row("district", [
            dashboard._facts(c, visits.get(c.id, 0), grades.get(c.id), calendar, today)
            for c in applications])
        decided = [c for c in applications if c.finished_on is not None
                   and c.due_on is not None and c.status in ("approved", "rejected")]
        on_time = dashboard._share(decided, lambda c: c.finished_on <= c.due_on)
    return [
        Figure(code="deadline_compliance", name_zh="按期办结率", unit="share", value=on_time),
        Figure(code="at_most_one_visit", name_zh="最多跑一次占比", unit="share",
               value=district.share_at_most_one_visit),
        Figure(code="zero_visits", name_zh="零跑动占比", unit="share",
               value=district.share_zero_visits),
        Figure(code="satisfaction", name_zh="满意率", unit="share", value=district.satisfaction),
        Figure(code="received", name_zh="累计收件", unit="count", value=district.received),
        Figure(code="overdue", name_zh="在办超期", unit="count", value=district.overdue),
        Figure(code="median_days", name_zh="办结用时中位数（工作日）", unit="working_days",
               value=district.median_working_days_to_decision),
    ]
