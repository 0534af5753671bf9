"""Two years of the district's records, made through the processes' own use cases (the grid
loop, the micro-wishes, the work layer's deadline sweep, the volunteer plan's import, plan,
publication and sign-in lists) on a controlled clock: what the yearly assessment then reads
from the work layer and from the volunteer plan's published read models."""

from datetime import date, timedelta
from pathlib import Path

from policies.access import Actor, Role
from policies.grid.loop import Rating
from policies.volunteering.generator import District
from policies.volunteering.model import (
    Availability,
    ChargingMode,
    Contract,
    Member,
    Project,
    ProjectType,
    SlotPattern,
    Unit,
)
from services.grid import issues
from services.grid.issues import Evaluation, Feedback, IssueReport, Resolution, Supervision
from services.grid.reference import read_catalogue
from services.platform.db.uow import Database
from services.platform.reference_data import read_calendar, read_ladders
from services.volunteering import importer, plans
from services.volunteering import reference as volunteering
from services.wishes import reference, wishes
from services.wishes.wishes import Fulfilment, WishPost
from services.work import escalations
from tests.applicants import citizen_id

WATER = Actor(username="officer-water", role=Role.OFFICER, department="water")
HEALTH = Actor(username="officer-health", role=Role.OFFICER, department="health")
calendar, catalogue, ladders = read_calendar(), read_catalogue(), read_ladders()


def grid_issue(db, community: str, reported: date, how: str) -> int:
    """A drain blocked in the community's first grid (3 working days, the water bureau), closed
    satisfied: on time the day it was reported, or late two weeks on — and, if `escalated`,
    escalated by the deadline sweep on the tenth day while still open."""
    grid = f"{community}-g01"
    member = Actor(username=f"grid-{grid}", role=Role.SECRETARY, org_unit=grid)
    secretary = Actor(username=f"secretary-{community}", role=Role.SECRETARY,
                      org_unit=community)
    issue = issues.report(db, catalogue, calendar, member, IssueReport(
        category="drain-blocked", description="楼前下水道堵塞", grid=grid), reported)
    if how == "escalated":
        assert escalations.sweep(db, calendar, ladders, reported + timedelta(days=10))
    done = reported if how == "on-time" else reported + timedelta(days=14)
    issues.resolve(db, catalogue, WATER, issue.id, Resolution(result="已疏通"), done)
    issues.supervise(db, catalogue, secretary, issue.id,
                     Supervision(passed=True, method="on-site"))
    issues.feedback(db, catalogue, member, issue.id, Feedback(message="下水道已疏通"))
    issues.evaluate(db, catalogue, member, issue.id, Evaluation(rating=Rating.SATISFIED), done)
    return issue.id


def wish(db, community: str, posted: date, fulfilled: bool) -> int:
    rules, number = reference.read_rules(), citizen_id()
    resident = Actor(username=number, role=Role.APPLICANT, applicant_number=number)
    found = wishes.post(db, rules, resident, WishPost(
        community=community, kind="ride", title="周三上午需要车送去医院复诊",
        description="腿脚不便，独居"), posted)
    if fulfilled:
        wishes.claim(db, rules, HEALTH, found.id)
        wishes.fulfil(db, rules, HEALTH, found.id, Fulfilment(note="卫健局志愿者接送"))
    return found.id


def seed_year(db, year: int, plan: dict[str, tuple[list[str], int]]) -> None:
    """`plan`: community → (how each of its grid issues went, wishes fulfilled of two)."""
    for community, (grid, fulfilled) in plan.items():
        for n, how in enumerate(grid):
            grid_issue(db, community, date(year, 3 + 3 * n, 3), how)
        for n in range(2):
            wish(db, community, date(year, 4, 7 + n), n < fulfilled)


VOLUNTEERS = Actor(username="district-organisation", role=Role.ADMIN)


def volunteering_month(db: Database, workdir: Path, month: str, held: list[str],
                       not_held: list[str]) -> None:
    """One unit paired with each community, with one Saturday-morning project (四点半课堂) and
    two members living there who claimed it: the plan seats both at their unit's concentrated
    activity (the host quota is the unit's two members). The sign-in list shows both present in
    `held`, both absent in `not_held`."""
    communities = held + not_held
    district = District(
        communities=volunteering.places(),
        contracts=[Contract(f"U{n}", c, (Project(
            code=f"P{n}", name_zh="四点半课堂", type=ProjectType.AFTER_SCHOOL,
            charging=ChargingMode.FREE, capacity=8, patterns=(SlotPattern(5, "am"),)),))
            for n, c in enumerate(communities)],
        units=[Unit(f"U{n}", f"第{n + 1}单位党组织", c) for n, c in enumerate(communities)],
        members=[Member(code=f"M{n}{k}", name_zh=f"党员{n}{k}", unit=f"U{n}", home=c,
                        availability=Availability.WEEKEND,
                        claimed=frozenset({ProjectType.AFTER_SCHOOL}))
                 for n, c in enumerate(communities) for k in range(2)])
    units, members = workdir / "units.xlsx", workdir / "members.xlsx"
    importer.write_workbooks(district, units, members)
    names = {name: code for code, name, _ in volunteering.district_communities()}
    importer.import_spreadsheets(db, VOLUNTEERS, units, members, names)
    plan = plans.draft_plan(db, VOLUNTEERS, month)
    assert plan.rules_hold and not plan.uncovered, plan
    plans.publish(db, VOLUNTEERS, plan.id)
    with db.reading() as uow:
        hosts = plans.published_plan(uow.session, month).hosts
    for n, community in enumerate(communities):
        secretary = Actor(username=f"secretary-{community}", role=Role.SECRETARY,
                          org_unit=community)
        present = [f"M{n}0", f"M{n}1"] if community in held else []
        plans.record_attendance(db, secretary, month, hosts[f"U{n}"], present)
