"""What flows ask for and what people read: work-item and stage specs, the read model."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policies import work_items as rules


class WorkItemSpec(BaseModel):
    """What a flow asks for: a step of a case, for a group, decided on a form."""

    case_id: int
    step: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    attempt: int = Field(default=1, ge=1)
    title: str
    form: str
    candidate_group: str
    due: Literal["case", "none"] = "case"  # the case's deadline, or none (e.g. a correction)
    due_on: date | None = None  # a deadline of the step's own, instead of the case's
    deadline_kind: Literal["legal", "promised"] | None = "promised"
    ladder: str | None = "department-deadline"  # policies/data/escalation.yaml
    priority: int = Field(default=50, ge=0, le=100)
    flow_run_id: str | None = None

    @property
    def step_key(self) -> str:
        return f"{self.step}#{self.attempt}"


class StageSpec(BaseModel):
    """Several groups decide one step together: 会签 (all must sign) or 或签 (any may sign)."""

    case_id: int
    step: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    attempt: int = Field(default=1, ge=1)
    mode: Literal["all", "any"]
    title: str
    form: str
    groups: list[str] = Field(min_length=1)
    due: Literal["case", "none"] = "case"
    due_on_by_group: dict[str, date] = {}  # each group's own deadline, where it has one
    titles_by_group: dict[str, str] = {}
    ladder: str | None = "department-deadline"
    flow_run_id: str | None = None

    @property
    def stage_key(self) -> str:
        return f"{self.step}#{self.attempt}"

    def item(self, group: str) -> WorkItemSpec:
        return WorkItemSpec(case_id=self.case_id, step=self.step, attempt=self.attempt,
                            title=self.titles_by_group.get(group, self.title), form=self.form,
                            candidate_group=group, due=self.due,
                            due_on=self.due_on_by_group.get(group), ladder=self.ladder,
                            flow_run_id=self.flow_run_id)


class StageDecisions(BaseModel):
    """What resumes a flow waiting on a stage: each group's decision on the stage's form."""

    decisions: dict[str, dict[str, Any]]


class WorkItemRead(BaseModel):
    id: int
    case_id: int
    step: str
    title: str
    form: str
    candidate_group: str
    assignee: str | None
    owner: str | None
    status: rules.Status
    priority: int
    due_on: date | None
    follow_up_on: date | None
    deadline_kind: str | None
    decision: dict[str, Any] | None
    decided_by: str | None
    version: int
    created_at: datetime
    completed_at: datetime | None


class QueueFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_group: str | None = None
    assignee: str | None = None
    status: rules.Status | None = None
    due_before: date | None = None


def pause_key(item_id: int) -> str:
    return f"work-item-{item_id}"


def stage_pause_key(case_id: int, stage_key: str) -> str:
    return f"stage-{case_id}-{stage_key.replace('#', '-')}"

