"""The month's slots from the working-day calendar: a non-working day (weekend or holiday) has a
morning and an afternoon; a working day (make-up Saturdays included) has an evening."""

from datetime import date, timedelta

from policies.calendar import WorkingCalendar
from policies.volunteering.model import Slot, SlotKind
from policies.volunteering.weights import Settings


def month_days(month: str) -> list[date]:
    first = date.fromisoformat(f"{month}-01")
    days, day = [], first
    while day.month == first.month:
        days.append(day)
        day += timedelta(days=1)
    return days


def month_slots(month: str, calendar: WorkingCalendar, settings: Settings) -> list[Slot]:
    slots = []
    for day in month_days(month):
        if calendar.is_working_day(day):
            parts, kind = ("evening",), SlotKind.EVENING
        else:
            parts, kind = ("am", "pm"), SlotKind.WEEKEND
        for part in parts:
            slots.append(Slot(code=f"{day.isoformat()}-{part}", day=day.isoformat(), part=part,
                              kind=kind, unpopular=settings.unpopular(day.weekday(), part)))
    return slots


def runs_in(pattern_weekday: int, pattern_part: str, slot: Slot) -> bool:
    """A project's weekly pattern meets a slot on the same weekday and part; a weekday
    holiday turns an evening project's slot into none and a weekend project's day into one
    more (the project runs on the holiday's morning or afternoon as on a Saturday)."""
    weekday = date.fromisoformat(slot.day).weekday()
    if slot.part != pattern_part:
        return False
    if slot.kind is SlotKind.WEEKEND and weekday < 5:
        return pattern_weekday == 5  # a weekday holiday runs Saturday's projects
    if slot.kind is SlotKind.EVENING and weekday >= 5:
        return pattern_weekday == 4  # a make-up working Saturday runs Friday's evening projects
    return weekday == pattern_weekday
