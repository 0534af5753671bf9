"""The secretary's review of the month's draft: a human step of the monthly flow, through the
work layer. The flow opens the month's case and, for each round, a `plan-review` work item for
the district's secretaries; the draft (objective, bound, the validator's verdict and, for a
short month, the explanation) is what they read. They publish it, or ask for a re-plan with
changes (a closed date, a capacity) that the flow applies, solves again and puts back to them.
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import select

from policies.access import Actor
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.volunteering import reference
from services.volunteering.models import VolunteerPlan, VolunteerProject
from services.work import outbox
from services.work.cases import process_actor
from services.work.models import Case, WorkItem
from services.work.work_items import WorkItemSpec

PROCESS, STEP, RECORD = "volunteer-plan", "plan-review", "plan-review"
DEPLOYMENT = "volunteer-month-plan/monthly"
REVIEWING = "reviewing"  # the planning case's status until the month is published
ACTOR = process_actor(PROCESS)
SLOT = r"^([a-z0-9-]{1,64}@)?\d{4}-\d\d-\d\d-(am|pm|evening)$"


class PlanReview(BaseModel):
    """The secretary's answer: publish the draft, or re-plan it with these changes (added to
    the changes of earlier rounds): slots closed in every community (`2026-12-12-am`) or in one
    (`haicang-street-haicang@2026-12-12-am`), project capacities (0 takes a project out)."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["publish", "replan"]
    closed: list[str] = Field(default=[], max_length=200)
    capacities: dict[str, int] = Field(default={}, max_length=200, validate_default=True)
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("capacities")
    @classmethod
    def _a_replan_changes_something(cls, value: dict[str, int], info: ValidationInfo):
        if info.data.get("outcome") == "replan" and not (value or info.data.get("closed")):
            raise ValueError("a re-plan names what changes: closed slots or capacities")
        return value


def open_case(db: Database, month: str, flow_run_id: str, today: date,
              case_id: int | None = None) -> int:
    """The month's planning case of this flow run; the run re-running finds the same one, and a
    run the reconciler started again for a case (`case_id`, from the case's `rerun`) takes it
    over with its drafts and answered reviews."""
    def work(uow) -> int:
        if case_id is not None:
            return case_id
        existing = uow.session.scalar(select(Case.id).where(
            Case.process == PROCESS, Case.flow_run_id == flow_run_id))
        if existing:
            return existing
        now = datetime.now(UTC)
        start = date.fromisoformat(f"{month}-01")
        case = Case(process=PROCESS, process_version=1, status=REVIEWING,
                    subject=f"{month} 双报到志愿服务月度计划", accepted_on=today,
                    due_on=start - timedelta(days=1), flow_run_id=flow_run_id,
                    details={"month": month, "org_unit": reference.district_code()},
                    created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        # How the reconciler starts the run again if its worker dies during the review.
        case.details = case.details | {"rerun": outbox.rerun(DEPLOYMENT, month=month,
                                                             case_id=case.id)}
        audit.record(uow.session, ACTOR, action="case.opened", subject_type="case",
                     subject_id=case.id, after={"process": PROCESS, "month": month})
        uow.commit()
        return case.id

    return db.run(work)


def review_spec(case_id: int, draft: dict[str, Any], attempt: int) -> WorkItemSpec:
    """The district's secretaries read the draft and publish it or ask for a re-plan."""
    state = ("规则全部满足" if draft["rules_hold"] else "有规则未满足") + (
        f"，{len(draft['uncovered'])}人未安排" if draft["uncovered"] else "，全员已安排")
    title = (f"审核{draft['month']}志愿服务计划（第{attempt}稿，{state}，"
             f"距下界{draft['gap']:.1%}）")
    return WorkItemSpec(case_id=case_id, step=STEP, attempt=attempt, title=title,
                        form="recorded", candidate_group=f"org:{reference.district_code()}",
                        due="none", deadline_kind=None, ladder=None)


def read_review(content: dict[str, Any]) -> PlanReview | None:
    """The decision as the flow applies it; one decided past the API's checks is None."""
    try:
        return PlanReview.model_validate(content)
    except ValidationError:
        return None


def merged(changes: dict[str, Any], review: PlanReview) -> dict[str, Any]:
    return {"closed": sorted(set(changes["closed"]) | set(review.closed)),
            "capacities": changes["capacities"] | review.capacities}


def check_review(db: Database, actor: Actor, plan_id: int, data: PlanReview
                 ) -> tuple[int, dict[str, Any]]:
    """The open review item of this draft and the decision to complete it with; a change that
    names no project, or a negative capacity, is refused naming the field."""
    with db.reading() as uow:
        plan = uow.session.get(VolunteerPlan, plan_id)
        if plan is None:
            raise NotFound(f"no plan {plan_id}")
        if plan.case_id is None or plan.status != "draft":
            raise Conflict(f"plan {plan_id} is not a draft awaiting review", field="plan_id")
        _check_changes(uow.session, data)
        item = uow.session.scalar(select(WorkItem.id).where(
            WorkItem.case_id == plan.case_id, WorkItem.step == STEP,
            WorkItem.step_key == f"{STEP}#{plan.attempt}",
            WorkItem.status.in_(["open", "claimed"])))
    if item is None:
        raise Conflict("the flow has not opened this draft's review yet", field="plan_id")
    return item, {"record": RECORD, "content": data.model_dump(mode="json")}


def _check_changes(session, data: PlanReview) -> None:
    for n, slot in enumerate(data.closed):
        if not re.match(SLOT, slot):
            raise InvalidInput("a slot is YYYY-MM-DD-am|pm|evening, optionally after "
                               "'community@'", field=f"closed.{n}")
    known = set(session.scalars(select(VolunteerProject.code).where(
        VolunteerProject.code.in_(list(data.capacities)))))
    for code, capacity in data.capacities.items():
        if code not in known:
            raise InvalidInput(f"no project '{code}'", field=f"capacities.{code}")
        if not 0 <= capacity <= 500:
            raise InvalidInput("a capacity is between 0 and 500", field=f"capacities.{code}")
