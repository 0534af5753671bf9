"""The typed decision forms people fill in to complete a work item."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class ApprovalDecision(BaseModel):
    """A department's decision on an application: approve, reject, or return for correction.

    A rejection states its reasons (HC-03: every case ends with feedback the applicant can act
    on); a return lists what must be corrected.
    """

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["approve", "reject", "return"]
    reasons: str | None = Field(default=None, max_length=2000, validate_default=True)
    corrections: list[str] = Field(default_factory=list, max_length=50, validate_default=True)

    @field_validator("reasons")
    @classmethod
    def _a_rejection_states_its_reasons(cls, value: str | None, info: ValidationInfo):
        if info.data.get("outcome") == "reject" and not (value or "").strip():
            raise ValueError("a rejection must state its reasons")
        return value

    @field_validator("corrections")
    @classmethod
    def _a_return_lists_the_corrections(cls, value: list[str], info: ValidationInfo):
        if info.data.get("outcome") == "return" and not value:
            raise ValueError("a return for correction must list what to correct")
        return value


class CorrectionDone(BaseModel):
    """The station confirms the applicant supplied what was asked."""

    model_config = ConfigDict(extra="forbid")

    supplied: list[str] = Field(min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=2000)




def clock_effect(form: str, decision: dict) -> str | None:
    """补正期间不计时: a return for correction stops the case's clock; the correction done
    starts it again."""
    if form == "approval" and decision.get("outcome") == "return":
        return "suspend"
    if form == "correction":
        return "resume"
    return None


def final_status(decision: ApprovalDecision) -> str:
    return {"approve": "approved", "reject": "rejected"}[decision.outcome]


class DeliveryConfirmed(BaseModel):
    """The station confirms the applicant received the result (送达确认)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["counter", "post", "online"]
    note: str | None = Field(default=None, max_length=500)



class RectificationReport(BaseModel):
    """What the responsible unit changed after a bad rating (整改)."""

    model_config = ConfigDict(extra="forbid")

    actions: str = Field(min_length=1, max_length=4000)


class CallBack(BaseModel):
    """The station's call-back to an applicant who rated badly (回访)."""

    model_config = ConfigDict(extra="forbid")

    reached: bool
    note: str = Field(min_length=1, max_length=2000)


class RecordedStep(BaseModel):
    """A step whose content its process checks before deciding (a meeting's agenda finalised,
    the meeting recorded, its minutes confirmed): the content travels with the decision, so the
    flow applies what was checked, and the work item's history shows it."""

    model_config = ConfigDict(extra="forbid")

    record: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)
    content: dict[str, Any] = Field(default_factory=dict)


FORMS: dict[str, type[BaseModel]] = {
    "approval": ApprovalDecision,
    "correction": CorrectionDone,
    "delivery": DeliveryConfirmed,
    "rectification": RectificationReport,
    "call-back": CallBack,
    "recorded": RecordedStep,
}
