from datetime import date

import pytest

from policies.calendar import CalendarOutOfRange
from services.platform.reference_data import read_calendar

calendar = read_calendar()


@pytest.mark.parametrize("day, working", [
    (date(2026, 2, 14), True),    # Saturday, made a working day for the Spring Festival
    (date(2026, 2, 16), False),   # Monday inside the Spring Festival
    (date(2026, 2, 24), True),    # first day back
    (date(2026, 10, 10), True),   # Saturday make-up day after National Day
    (date(2026, 11, 28), False),  # an ordinary Saturday
])
def test_holidays_and_make_up_days_decide_what_counts(day, working):
    assert calendar.is_working_day(day) is working


def test_five_working_days_from_the_eve_of_spring_festival_land_after_the_holiday():
    # Fri 13 Feb + 5 working days: Sat 14 (make-up), then 24, 25, 26, 27 February.
    assert calendar.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_twenty_working_days_across_mid_autumn_and_national_day():
    # Counted by hand: Sun 20 Sep is a make-up day; 25-27 Sep and 1-7 Oct are off;
    # Sat 10 Oct is a make-up day. The twentieth working day is Thu 22 Oct.
    start = date(2026, 9, 18)
    end = calendar.add_working_days(start, 20)
    assert end == date(2026, 10, 22)
    assert calendar.working_days_between(start, end) == 20


def test_counting_beyond_the_data_refuses_instead_of_ignoring_holidays():
    with pytest.raises(CalendarOutOfRange, match="2028"):
        calendar.is_working_day(date(2028, 1, 3))


def test_2027_is_marked_provisional_until_the_state_council_notice():
    assert calendar.years[2026].status == "official"
    assert calendar.years[2027].status == "provisional"
