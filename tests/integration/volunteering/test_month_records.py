"""A month through the records: spreadsheets in, a plan drafted, re-planned, published, a
decline repaired, a sign-in list, hours, and compliance naming exactly who was absent."""

from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from services.platform import reference_data
from services.platform.db.migrate import upgrade
from services.platform.db.uow import Database
from services.platform.errors import InvalidInput
from services.volunteering import compliance, importer, plans, reference
from services.volunteering.models import VolunteerAssignment
from tests.conftest import SYSTEM, create_postgres_database

SECRETARY = Actor(username="secretary-haicang", role=Role.ADMIN)
MONTH = "2026-12"


def communities() -> dict[str, str]:
    return {name: code for code, name, _ in reference.district_communities()} | {
        code: code for code, _, _ in reference.district_communities()}


@pytest.fixture(scope="module")
def db(database_url, tmp_path_factory) -> Database:
    """A database of this module's own: the month starts with nobody imported, whatever other
    tests imported into the session's."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('volunteering') / 'month.db'}"
    else:
        url = create_postgres_database(database_url, "govflow_volunteering_month")
    database = Database(url)
    upgrade(database)
    reference_data.load_reference(database, reference_data.read_reference(), SYSTEM)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def spreadsheets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("volunteers")
    district = reference.generated_district(12, 240, 4, seed=7)
    units, members = folder / "units.xlsx", folder / "members.xlsx"
    importer.write_workbooks(district, units, members)
    return units, members


def test_a_bad_row_names_sheet_row_and_column_and_nothing_is_imported(db, spreadsheets,
                                                                       tmp_path):
    units, members = spreadsheets
    book = openpyxl.load_workbook(members)
    book.active["F5"] = "周三下午"        # availability
    book.active["E9"] = "广场舞"          # claimed project type
    broken = tmp_path / "members.xlsx"
    book.save(broken)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_spreadsheets(db, SECRETARY, units, broken, communities())
    assert [str(e) for e in refused.value.errors] == [
        "党员 第5行 可参加时段：应为 周末、工作日晚上 或 均可",
        "党员 第9行 认领项目：未知项目类型 广场舞"]
    with db.reading() as uow:
        assert uow.session.scalars(select(VolunteerAssignment)).first() is None
    with pytest.raises(InvalidInput, match="no members imported"):
        plans.draft_plan(db, SECRETARY, MONTH)


def test_the_month_from_import_to_compliance(db, spreadsheets):
    counts = importer.import_spreadsheets(db, SECRETARY, *spreadsheets, communities())
    assert counts["members"] == 240 and counts["units"] == 12

    first = plans.draft_plan(db, SECRETARY, MONTH)
    assert first.rules_hold and first.planned == 240 and not first.uncovered
    assert first.lower_bound <= first.objective

    # the secretary closes a Saturday morning (the community hall is booked) and re-plans
    again = plans.draft_plan(db, SECRETARY, MONTH, closed=["2026-12-12-am"])
    assert again.rules_hold and plans.summary(db, first.id).status == "superseded"
    published = plans.publish(db, SECRETARY, again.id)
    assert published.status == "published"
    with db.reading() as uow:
        rows = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == again.id)).all()
    assert all(r.slot != "2026-12-12-am" for r in rows)

    # a member declines; only that member moves
    member, activity = rows[0].member_code, rows[0].activity_code
    before = {(r.member_code, r.activity_code) for r in rows}
    done = plans.decline(db, SECRETARY, MONTH, [(member, activity)], today=date(2026, 11, 25))
    moved = {m: acts for m, acts in done.moved.items() if m == member}
    mine = plans.member_activities(db, member, MONTH)
    assert {a["activity"]: a["status"] for a in mine}[activity] == "declined"
    assert set(moved) <= {member}
    with db.reading() as uow:
        after = {(r.member_code, r.activity_code) for r in uow.session.scalars(
            select(VolunteerAssignment).where(VolunteerAssignment.plan_id == again.id,
                                              VolunteerAssignment.status == "planned"))}
    assert before - {(member, activity)} <= after     # everyone else keeps their place
    with pytest.raises(InvalidInput):
        plans.decline(db, SECRETARY, MONTH, [(rows[1].member_code, rows[1].activity_code)],
                      today=date(2026, 12, 30))

    # every planned activity signs in everyone but two members
    absent = sorted({r.member_code for r in rows if r.member_code != member})[:2]
    with db.reading() as uow:
        planned = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == again.id,
            VolunteerAssignment.status == "planned")).all()
    by_activity: dict[str, list[str]] = {}
    for r in planned:
        by_activity.setdefault(r.activity_code, []).append(r.member_code)
    for code, people in by_activity.items():
        plans.record_attendance(db, SECRETARY, MONTH, code,
                                [p for p in people if p not in absent])
    report = compliance.month_end(db, MONTH)
    member_findings = {f["subject"] for f in report["findings"] if f["clause"] == "QL-11b"}
    claimed_elsewhere = {f["subject"] for f in report["findings"]
                         if f["reason_zh"] == "参加的活动不是其认领的项目类型"}
    assert member_findings - claimed_elsewhere == set(absent)
    assert plans.hours(db, absent[0])["total"] == 0
    present = next(p for p in by_activity[planned[0].activity_code] if p not in absent)
    assert plans.hours(db, present)["total"] >= 2


def test_publishing_a_month_carries_its_unpopular_slots_into_the_history(db):
    from services.volunteering.models import VolunteerMember, VolunteerPlan

    with db.reading() as uow:
        history = {m.code: m.history for m in uow.session.scalars(select(VolunteerMember))}
        published = uow.session.scalars(select(VolunteerPlan.id).where(
            VolunteerPlan.month == MONTH, VolunteerPlan.status == "published")).one()
        rows = uow.session.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == published)).all()
    moved = {r.member_code for r in rows if r.status == "declined"}
    rows = [r for r in rows if r.member_code not in moved]
    unpopular = {r.member_code for r in rows if r.slot.endswith("-evening")
                 and date.fromisoformat(r.slot[:10]).weekday() in (0, 4)
                 or r.slot.endswith("-pm") and date.fromisoformat(r.slot[:10]).weekday() == 6}
    assert unpopular and all(history[m] >= 1 for m in unpopular)
