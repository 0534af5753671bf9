"""Volunteer scheduling (双报到): contracts, the month's plan (draft, explanation, publish),
members' activities and hours, sign-in lists, month-end compliance."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import CalendarDep, CurrentActor, DbDep, Id, Today
from policies.access import Actor, Role
from services.platform.errors import Forbidden
from services.volunteering import plans, review, views
from services.volunteering.accounts import MemberAccountCreate
from services.volunteering.review import PlanReview
from services.volunteering.views import (
    MONTH,
    AttendanceCreate,
    DeclineCreate,
    PlanChanges,
    SwapCreate,
)
from services.work import work_items
from services.work.work_items import WorkItemRead


def _staff_or_member(actor: CurrentActor) -> Actor:
    if actor.role is Role.APPLICANT:
        raise Forbidden("this is the staff's and party members' work")
    return actor


router = APIRouter(prefix="/volunteering", tags=["volunteering"])
# What a party member reads and does for itself (its plan, hours, card, declines), beside the
# staff who serve the member: mounted outside the staff-only routers (api/app.py).
members_router = APIRouter(prefix="/volunteering", tags=["volunteering"],
                           dependencies=[Depends(_staff_or_member)])
Month = Annotated[str, Path(pattern=MONTH, description="YYYY-MM")]
Code = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Activity = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}@\d{4}-\d\d-\d\d-(am|pm|evening)$")]


@router.get("/contracts")
def contracts(actor: CurrentActor, db: DbDep) -> list[dict]:
    """Units paired with the communities in the reader's scope, with their contracted projects
    (type, charging mode, capacity, when they run) — LK-09, QL-12."""
    return views.contracts(db, actor)


@router.post("/plans/{month}/draft", status_code=201)
def draft(month: Month, changes: PlanChanges, actor: CurrentActor, db: DbDep) -> dict:
    """Plan (or re-plan, with closed slots and capacities) the month; the previous draft is
    superseded. The answer carries objective, lower bound, gap, the validator's verdict and,
    for a month that cannot seat everyone, the explanation and the members left out."""
    views.require_district(actor)
    return asdict(plans.draft_plan(db, actor, month, changes.closed, changes.capacities))


@router.get("/plans/{month}")
def plan(month: Month, actor: CurrentActor, db: DbDep) -> dict:
    """The month's current plan (draft or published) with its explanation."""
    return asdict(views.latest_plan(db, actor, month))


@router.post("/plans/{plan_id}/publish")
def publish(plan_id: Id, actor: CurrentActor, db: DbDep) -> dict:
    """Publish an ad-hoc draft; the monthly flow's draft is published through its review."""
    views.require_district(actor)
    return asdict(plans.publish(db, actor, plan_id))


@router.post("/plans/{plan_id}/review", response_model=WorkItemRead)
def review_plan(plan_id: Id, data: PlanReview, actor: CurrentActor, db: DbDep,
                calendar: CalendarDep, today: Today):
    """The district's secretaries decide the monthly flow's review of its draft: publish, or
    re-plan with closed slots and capacities (the flow solves again and asks again)."""
    views.require_district(actor)
    item_id, decision = review.check_review(db, actor, plan_id, data)
    return work_items.decide(db, calendar, actor, item_id, decision, today)


@router.post("/members/{code}/account", status_code=201)
def open_member_account(code: Code, data: MemberAccountCreate, actor: CurrentActor,
                        db: DbDep) -> dict:
    """The member's community opens the member's own account (`member-<code>`), which reads
    the member's plan, hours and card and nobody else's."""
    return views.open_member_account(db, actor, code, data)


@members_router.get("/members/{code}/activities/{month}")
def member_activities(code: Code, month: Month, actor: CurrentActor, db: DbDep) -> list[dict]:
    return views.member_activities(db, actor, code, month)


@members_router.get("/members/{code}/hours")
def member_hours(code: Code, actor: CurrentActor, db: DbDep) -> dict:
    """The member's service-hours ledger."""
    return views.member_hours(db, actor, code)


@router.get("/communities/{community}/roster/{month}")
def roster(community: Annotated[str, Path(max_length=64)], month: Month, actor: CurrentActor,
           db: DbDep) -> list[dict]:
    """The community's activities of the month, the host unit and who is coming."""
    return views.roster(db, actor, community, month)


@router.post("/activities/{activity}/attendance")
def attendance(activity: Activity, data: AttendanceCreate, actor: CurrentActor,
               db: DbDep) -> dict:
    """The sign-in list of one activity; members present earn their service hours."""
    return views.record_attendance(db, actor, activity, data)


@router.get("/compliance/{month}")
def compliance(month: Month, actor: CurrentActor, db: DbDep) -> dict:
    """Month-end findings (QL-11a units, QL-11b members) in the reader's scope."""
    return views.month_compliance(db, actor, month)


@members_router.post("/members/{code}/declines")
def decline(code: Code, data: DeclineCreate, actor: CurrentActor, db: DbDep,
            today: Today) -> dict:
    """The member declines one activity, at least the window's days before it; the plan is
    repaired for this member only (others keep their place)."""
    return views.decline(db, actor, code, data, today)


@members_router.post("/members/{code}/swaps")
def swap(code: Code, data: SwapCreate, actor: CurrentActor, db: DbDep, today: Today) -> dict:
    """Within the window, the member leaves one activity for a free seat in another, or
    exchanges it with another member (recorded by the community); the plan's validator must
    find every rule that held still holding (409 naming what would break); nobody else moves."""
    return views.swap(db, actor, code, data, today)


@members_router.get("/members/{code}/card/{quarter}")
def quarterly_card(code: Code, quarter: Annotated[str, Path(pattern=r"^20\d\d-Q[1-4]$")],
                   actor: CurrentActor, db: DbDep) -> dict:
    """The member's quarterly service card for the employer unit: activities and hours."""
    return views.quarterly_card(db, actor, code, quarter)
