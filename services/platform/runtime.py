"""What a process needs to serve: the settings and the business database."""

from dataclasses import dataclass

from policies.calendar import WorkingCalendar
from policies.escalation import Ladder
from services.platform.db.uow import Database
from services.platform.reference_data import read_calendar, read_ladders
from services.platform.settings import Settings, get_settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    calendar: WorkingCalendar
    ladders: dict[str, Ladder]


def build(settings: Settings | None = None) -> Runtime:
    """Reads the calendar and ladders at start-up: broken data stops the process at once."""
    settings = settings or get_settings()
    return Runtime(settings=settings, db=Database(settings.database_url),
                   calendar=read_calendar(settings.calendar_file),
                   ladders=read_ladders())
