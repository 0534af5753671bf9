"""The read models the volunteer plan, the whistle and the one-stop process publish (migration
0014's views), read by the assessment by name, on SQLite and PostgreSQL alike: the owning
processes' records here are written as their rows (the e2e makes them through the processes'
use cases); what is checked is the contract — the view's meaning — as the assessment reads it."""

from datetime import UTC, date, datetime

import pytest

from policies.assessment.scoring import Ranked, award_candidates
from services.assessment import assessments, popularity, readers
from services.assessment import figures as assessment_figures
from services.one_stop.models import Rating, Visit
from services.platform import reference_data
from services.volunteering.models import (
    VolunteerAssignment,
    VolunteerMember,
    VolunteerPlan,
    VolunteerUnit,
)
from services.whistle.models import Whistle
from services.work.models import Case
from tests.conftest import SYSTEM

S, D = "haicang-street-shitang", "haicang-street-dongyu"  # 石塘 (st-08), 东屿 (st-07)
NOW = datetime(2027, 6, 30, 8, tzinfo=UTC)


@pytest.fixture
def loaded_db(fresh_db):
    reference_data.load_reference(fresh_db, reference_data.read_reference(), SYSTEM)
    return fresh_db


def _plan(session, month: str, hosts: dict[str, str], status: str = "published") -> int:
    plan = VolunteerPlan(month=month, status=status, objective=0, lower_bound=0, verdict={},
                         explanation={}, hosts=hosts, changes={}, created_at=NOW)
    session.add(plan)
    session.flush()
    return plan.id


def _came(session, plan: int, member: str, activity: str, community: str, kind: str,
          attended: bool | None) -> None:
    session.add(VolunteerAssignment(plan_id=plan, member_code=member, activity_code=activity,
                                    community=community, slot=activity.split("@")[1],
                                    project_type=kind, status="planned", attended=attended))


def _volunteering(session) -> None:
    """U1 pairs with 石塘, U2 with 东屿; M1 (U1, lives in 石塘) claimed elderly dining, M2 (U2,
    东屿) after-school classes. March: both units' activities held with their own member there;
    M1 served a claimed type, M2 not (patrol). April: U1's activity signed in as absent; U2's
    held, M2 at an after-school class. A superseded March plan counts for nothing."""
    session.add_all([VolunteerUnit(code="U1", name_zh="区卫健局党支部", community=S),
                     VolunteerUnit(code="U2", name_zh="区教育局党支部", community=D)])
    session.flush()
    session.add_all([
        VolunteerMember(code="M1", name_zh="林芳", unit_code="U1", home=S, availability="any",
                        claimed=["elderly_dining"], requested=1),
        VolunteerMember(code="M2", name_zh="陈伟", unit_code="U2", home=D, availability="any",
                        claimed=["after_school"], requested=1)])
    session.flush()
    old = _plan(session, "2027-03", {"U1": "P1@2027-03-06-am"}, status="superseded")
    _came(session, old, "M2", "P1@2027-03-06-am", S, "elderly_dining", True)
    march = _plan(session, "2027-03", {"U1": "P1@2027-03-06-am", "U2": "P2@2027-03-07-am"})
    _came(session, march, "M1", "P1@2027-03-06-am", S, "elderly_dining", True)
    _came(session, march, "M2", "P2@2027-03-07-am", D, "patrol", True)
    april = _plan(session, "2027-04", {"U1": "P1@2027-04-03-am", "U2": "P2@2027-04-04-pm"})
    _came(session, april, "M1", "P1@2027-04-03-am", S, "elderly_dining", False)
    _came(session, april, "M2", "P2@2027-04-04-pm", D, "after_school", True)


def _case(session, **fields) -> Case:
    case = Case(process_version=1, subject="测试", created_at=NOW, updated_at=NOW, **fields)
    session.add(case)
    session.flush()
    return case


def _whistle_and_one_stop(session) -> None:
    """Two grid issues in 石塘 in 2027, one whistled; at 石塘's station two applications ended
    in 2027 (one visit and rated 5; two visits and rated 2) and one in 2026 (not counted)."""
    grid = {"details": {"org_unit": f"{S}-g01"}, "process": "grid-loop", "status": "closed"}
    blown = _case(session, accepted_on=date(2027, 5, 1), **grid)
    _case(session, accepted_on=date(2027, 5, 2), **grid)
    session.add(Whistle(case_id=blown.id, kind="routine", reason="排水管网需多部门协同",
                        org_unit=f"{S}-g01", level=0, whistled_by="secretary", opened_at=NOW))
    for n, (accepted, visits, grade) in enumerate([(date(2027, 6, 1), 1, 5),
                                                   (date(2027, 6, 2), 2, 2),
                                                   (date(2026, 6, 1), 3, 1)]):
        case = _case(session, receipt_no=f"st-08-test-{n}", process="approval",
                     status="approved", station_code="st-08", accepted_on=accepted,
                     finished_on=accepted)
        session.add_all(Visit(case_id=case.id, station_code="st-08", purpose="提交材料",
                              recorded_by="clerk", at=NOW) for _ in range(visits))
        session.add(Rating(case_id=case.id, grade=grade, at=NOW))


def test_the_assessment_reads_the_published_figures_by_community(loaded_db):
    with loaded_db.writing() as uow:
        _volunteering(uow.session)
        _whistle_and_one_stop(uow.session)
        uow.commit()
    with loaded_db.reading() as uow:
        _, ratios = readers.community_ratios(uow.session, 2027)
    shown = {c: {code: (r.part, r.whole) for code, r in found.items()}
             for c, found in ratios.items()}
    assert shown[S]["volunteer_units_held"] == (1, 2)  # March held, April nobody came
    assert shown[D]["volunteer_units_held"] == (2, 2)
    assert shown[S]["volunteer_members_served"] == (1, 2)  # March, a claimed type
    assert shown[D]["volunteer_members_served"] == (1, 2)  # April only: patrol not claimed
    assert shown[S]["whistle_rate"] == (1, 2)
    assert shown[S]["one_stop_satisfaction"] == (1, 2)  # 2026's application not counted
    assert shown[S]["one_stop_single_visit"] == (1, 2)
    assert "whistle_rate" not in shown[D] and "one_stop_satisfaction" not in shown[D]


def test_volunteer_activities_held_count_in_the_centres_popularity(loaded_db):
    with loaded_db.writing() as uow:
        _volunteering(uow.session)
        uow.commit()
    with loaded_db.reading() as uow:
        march = {u.centre: u.counts for u in popularity.centre_uses(uow.session, "2027-03")}
        april = {u.centre: u.counts for u in popularity.centre_uses(uow.session, "2027-04")}
    assert march["st-08"]["activities"] == 1 and march["st-07"]["activities"] == 1
    assert "activities" not in april["st-08"]  # signed in as absent: not held
    assert april["st-07"]["activities"] == 1


def test_the_assessments_figures_for_the_handbook(loaded_db):
    """Nothing published yet: no score, no candidates; in April 2027 东屿's centre held an
    activity (index 3, the data's weight), every other centre was unused."""
    with loaded_db.writing() as uow:
        _volunteering(uow.session)
        uow.commit()
    calendar = reference_data.read_calendar(None)
    found = {f.code: f.value for f in assessment_figures.figures(
        loaded_db, calendar, date(2027, 4, 30))}
    with loaded_db.reading() as uow:
        centres = len(popularity.centre_uses(uow.session, "2027-04"))
    assert (found["mean_score"], found["award_candidates"]) == (None, None)
    assert found["centres_unused"] == centres - 1
    assert found["mean_popularity"] == round(3 / centres, 2)


def test_the_figures_show_the_latest_published_year_only(loaded_db):
    rules = assessments.assessment_rules()

    def store(year: int, scores: dict[str, float], change: int | None) -> None:
        ranking = [Ranked(community=c, name_zh=c, score=s, indicators=[], rank=n + 1,
                          previous_rank=None if change is None else n + 1 + change,
                          change=change) for n, (c, s) in enumerate(scores.items())]
        outcome = assessments.Outcome(
            year=year, ranking=ranking, previous_source="published",
            candidates=award_candidates(ranking, rules.award, {}))
        with loaded_db.writing() as uow:
            assessments._store(uow.session, rules, outcome, date(year + 1, 1, 10), None)
            uow.commit()

    store(2026, {S: 90.0, D: 70.0}, None)  # published: no candidate
    store(2027, {S: 60.0, D: 50.0}, 3)  # both rose 3 places: awaiting the district
    found = {f.code: f.value for f in assessment_figures.figures(
        loaded_db, reference_data.read_calendar(None), date(2028, 1, 11))}
    assert (found["mean_score"], found["award_candidates"]) == (80.0, 0)
