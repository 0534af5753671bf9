"""Two years of the district's records, made through the processes' own use cases (the grid
loop, the micro-wishes, the work layer's deadline sweep) on a controlled clock: what the yearly
assessment then reads from the work layer."""

from datetime import date, timedelta

from policies.access import Actor, Role
from policies.grid.loop import Rating
from services.grid import issues
from services.grid.issues import Evaluation, Feedback, IssueReport, Resolution, Supervision
from services.grid.reference import read_catalogue
from services.platform.reference_data import read_calendar, read_ladders
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
