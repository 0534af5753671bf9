"""1+5+N staffing (QL-06) and the categories' deadlines, on the project's data."""

from datetime import date

from policies.grid.staffing import GridStaff, MemberType, gaps
from services.grid.reference import read_catalogue, read_staffing
from services.platform.reference_data import read_calendar, read_reference

calendar = read_calendar()


def test_every_grid_of_the_org_tree_has_a_roster_and_only_one_lacks_a_type():
    grids = [u.code for u in read_reference().org_units() if u.level == "grid"]
    roster = read_staffing()
    assert len(grids) == 70 and {g.grid for g in roster.grids} == set(grids)
    lacking = {g: gaps(roster.of(g), g) for g in grids if gaps(roster.of(g), g)}
    assert lacking == {"haicang-street-aoguan-g02": ["缺环卫人员"]}


def test_a_grid_without_its_leader_and_police_is_told_both():
    staff = GridStaff(grid="x", members={t: "某某" for t in MemberType
                                         if t is not MemberType.COMMUNITY_POLICE}, dynamic=4)
    assert gaps(staff, "x") == ["缺网格长", "缺社区民警"]


def test_an_ordinary_issue_reported_before_national_day_is_due_after_the_holiday():
    drain = read_catalogue().get("drain-blocked")  # 3 working days
    # 10-08 and 10-09 after the holiday, then Saturday 10-10, a make-up working day
    assert drain.due_on(calendar, date(2026, 9, 30)) == date(2026, 10, 10)


def test_an_emergency_is_due_the_day_it_is_reported_even_on_a_holiday():
    assert read_catalogue().get("gas-leak").due_on(calendar, date(2026, 10, 1)) == date(
        2026, 10, 1)
