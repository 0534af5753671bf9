"""What a process needs to serve: the settings and the business database."""

from dataclasses import dataclass

from policies.calendar import WorkingCalendar
from policies.escalation import Ladder
from policies.projects import ApprovalPlan
from services.db.uow import Database
from services.reference_data import read_calendar, read_ladders, read_project_plan
from services.settings import Settings, get_settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    calendar: WorkingCalendar
    project_plan: ApprovalPlan
    ladders: dict[str, Ladder]


def build(settings: Settings | None = None) -> Runtime:
    """Reads the calendar and plans at start-up: broken data stops the process at once."""
    settings = settings or get_settings()
    return Runtime(settings=settings, db=Database(settings.database_url),
                   calendar=read_calendar(settings.calendar_file),
                   project_plan=read_project_plan(), ladders=read_ladders())
