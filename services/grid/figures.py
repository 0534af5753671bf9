"""The grassroots dashboard's district rates (QL-07: respond, resolve, satisfy), recorded
daily by the `dashboard-figures` flow so that auditors see them over time (the handbook's
figures page). Same definitions as the dashboard (policies/grid/rates.py)."""

from datetime import date

from sqlalchemy import select

from policies.calendar import WorkingCalendar
from policies.grid.rates import rates
from services.grid import dashboard
from services.grid.models import GridIssue
from services.platform.db.uow import Database
from services.platform.figures import Figure

PROCESS = "grid"  # the process's code in the clause registry


def figures(db: Database, calendar: WorkingCalendar, today: date) -> list[Figure]:
    with db.reading() as uow:
        district = rates([dashboard._facts(i) for i in uow.session.scalars(select(GridIssue))])
    return [
        Figure(code="response_rate", name_zh="按时响应率", unit="share",
               value=district.response_rate),
        Figure(code="resolution_rate", name_zh="解决率", unit="share",
               value=district.resolution_rate),
        Figure(code="satisfaction_rate", name_zh="满意率", unit="share",
               value=district.satisfaction_rate),
        Figure(code="reported", name_zh="累计上报", unit="count", value=district.reported),
    ]
