"""The cadence data become the worker's deployment schedules (QL-10a, LK-13a): one deployment
per body, the district and streets on the 5th of each quarter's first month, communities on
the 5th of every month, the red forum on the 10th of each quarter's first month."""

from datetime import date

from flows.worker import deployments
from policies.meetings.cadence import ended_periods, period_by_code, quorum_met
from services.meetings.bodies import rules


def schedules() -> dict[str, list[str]]:
    return {f"{flow.name}/{d.name}": [getattr(s.schedule, "cron", None) for s in d.schedules]
            for flow, d in deployments() if d.schedules}


def test_every_body_has_its_own_deployment_on_its_cadence():
    crons = schedules()
    meetings = {name: c for name, c in crons.items() if name.startswith("joint-meeting/")}
    assert len(meetings) == 21
    assert meetings["joint-meeting/haicang"] == ["0 9 5 1,4,7,10 *"]
    assert meetings["joint-meeting/xinyang"] == ["0 9 5 1,4,7,10 *"]
    assert meetings["joint-meeting/xinyang-xianglu"] == ["0 9 5 * *"]
    assert sum(c == ["0 9 5 * *"] for c in meetings.values()) == 16


def test_the_forum_and_the_compliance_sweep_are_scheduled():
    crons = schedules()
    assert crons["red-forum/quarterly"] == ["0 9 10 1,4,7,10 *"]
    assert crons["meeting-compliance/daily"] == ["30 0 * * *"]


def test_a_year_has_four_quarters_and_twelve_months_to_account_for():
    community, street = rules().cadence("community"), rules().cadence("street")
    assert len(ended_periods(community, date(2026, 1, 1), date(2027, 1, 1))) == 12
    assert [p.code for p in ended_periods(street, date(2026, 1, 1), date(2027, 1, 1))] == [
        "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert period_by_code(street, "2026-Q3").end == date(2026, 9, 30)


def test_quorum_is_more_than_half_of_the_members_invited():
    quorum = rules().quorum
    assert quorum_met(quorum, 7, 3, 0)[0] is False
    assert quorum_met(quorum, 7, 4, 0) == (True, "应到7人，实到4人，需4人")
    assert quorum_met(quorum, 8, 4, 0)[0] is False  # half is not more than half
