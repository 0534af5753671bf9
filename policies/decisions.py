"""The typed decision forms people fill in to complete a work item."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ApprovalDecision(BaseModel):
    """A department's decision on an application: approve, reject, or return for correction.

    A rejection states its reasons (HC-03: every case ends with feedback the applicant can act
    on); a return lists what must be corrected.
    """

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["approve", "reject", "return"]
    reasons: str | None = Field(default=None, max_length=2000)
    corrections: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _reasons_where_needed(self) -> "ApprovalDecision":
        if self.outcome == "reject" and not (self.reasons or "").strip():
            raise ValueError("a rejection must state its reasons")
        if self.outcome == "return" and not self.corrections:
            raise ValueError("a return for correction must list what to correct")
        return self


class CorrectionDone(BaseModel):
    """The station confirms the applicant supplied what was asked."""

    model_config = ConfigDict(extra="forbid")

    supplied: list[str] = Field(min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=2000)


FORMS: dict[str, type[BaseModel]] = {
    "approval": ApprovalDecision,
    "correction": CorrectionDone,
}


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
