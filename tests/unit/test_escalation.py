from datetime import UTC, date, datetime, timedelta

import pytest

from policies.escalation import Moment, due_levels
from services.platform.reference_data import read_calendar, read_ladders

calendar, ladders = read_calendar(), read_ladders()
DUE = date(2026, 2, 13)  # Friday before the Spring Festival (15–23 Feb, 14 Feb a make-up day)
OPENED = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def levels(ladder: str, today: date, now: datetime = OPENED, due_on: date | None = DUE):
    moment = Moment(today=today, now=now, due_on=due_on, opened_at=OPENED)
    return [lv.level for lv in due_levels(ladders[ladder], calendar, moment)]


@pytest.mark.parametrize("today, expected", [
    (date(2026, 2, 11), []),          # two working days left: nothing yet
    (date(2026, 2, 12), [1]),         # one working day left: warn the department
    (date(2026, 2, 13), [1]),         # due today: still only the warning
    (date(2026, 2, 14), [1, 2]),      # the make-up Saturday is the first working day late
    (date(2026, 2, 23), [1, 2]),      # the holiday does not count as lateness
    (date(2026, 2, 25), [1, 2, 3]),   # third working day late: up to the one-stop centre
])
def test_approval_levels_come_due_in_working_days(today, expected):
    assert levels("department-deadline", today) == expected


@pytest.mark.parametrize("minutes, expected", [
    (29, []), (30, [1]), (59, [1]), (60, [1, 2]), (90, [1, 2, 3]), (600, [1, 2, 3]),
])
def test_the_whistle_goes_one_level_up_every_30_minutes_without_a_report(minutes, expected):
    now = OPENED + timedelta(minutes=minutes)
    assert levels("whistle", OPENED.date(), now=now, due_on=None) == expected


def test_the_whistle_ladder_names_the_four_levels_of_the_article():
    assert ladders["whistle"].clause == "QL-14"
    assert [lv.name_zh for lv in ladders["whistle"].levels] == [
        "社区党委书记哨", "街道党工委书记哨", "区委书记哨"]
