"""Deadlines in working days, on the calendar of policies/data (or GOVFLOW_CALENDAR_FILE)."""

from datetime import date

from pydantic import BaseModel

from policies.calendar import CalendarOutOfRange, WorkingCalendar
from services.platform.errors import InvalidInput


class DueDate(BaseModel):
    start: date
    working_days: int
    due: date
    calendar_status: str  # "official", or "provisional" while a year's notice is not out


def due_date(calendar: WorkingCalendar, start: date, working_days: int) -> DueDate:
    try:
        due = calendar.add_working_days(start, working_days)
        calendar.is_working_day(due)  # zero days count no day: the start must be covered too
    except CalendarOutOfRange as exc:
        raise InvalidInput(str(exc), field="start") from None
    status = calendar.years[due.year].status
    return DueDate(start=start, working_days=working_days, due=due, calendar_status=status)
