from datetime import date

import pytest

from policies.escalation import due_levels
from services.reference_data import read_calendar, read_ladders

calendar = read_calendar()
ladder = read_ladders()["department-deadline"]
DUE = date(2026, 2, 13)  # Friday before the Spring Festival (15–23 Feb, 14 Feb a make-up day)


@pytest.mark.parametrize("today, levels", [
    (date(2026, 2, 11), []),          # two working days left: nothing yet
    (date(2026, 2, 12), [1]),         # one working day left: warn the department
    (date(2026, 2, 13), [1]),         # due today: still only the warning
    (date(2026, 2, 14), [1, 2]),      # the make-up Saturday is the first working day late
    (date(2026, 2, 23), [1, 2]),      # the holiday does not count as lateness
    (date(2026, 2, 25), [1, 2, 3]),   # third working day late: up to the one-stop centre
])
def test_levels_come_due_in_working_days(today, levels):
    assert [lv.level for lv in due_levels(ladder, calendar, DUE, today)] == levels
