"""Parallel project approval (HC-14b): which approvals a project needs, which may run at the
same time, and the one overall commitment."""

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.decisions import ApprovalDecision
from policies.reference import Code


class ApprovalStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    name_zh: str
    department: Code
    working_days: int = Field(ge=1, le=60)
    requires: list[Code] = []


class ApprovalPlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment_working_days: int = Field(ge=1, le=60)
    approvals: list[ApprovalStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _prerequisites_exist_and_do_not_loop(self) -> "ApprovalPlan":
        codes = {a.code for a in self.approvals}
        for a in self.approvals:
            unknown = set(a.requires) - codes
            if unknown:
                raise ValueError(f"{a.code} requires unknown {sorted(unknown)}")
        for round_ in self.rounds():  # raises on a cycle
            departments = [a.department for a in round_]
            if len(set(departments)) != len(departments):
                raise ValueError("a department has two approvals in one round; "
                                 "give one of them a prerequisite")
        return self

    def rounds(self) -> list[list[ApprovalStep]]:
        """The approvals in rounds: each round opens together once every earlier round is
        approved (the parallel rule and the prerequisite rule of HC-14b)."""
        done: set[str] = set()
        remaining = list(self.approvals)
        rounds = []
        while remaining:
            ready = [a for a in remaining if set(a.requires) <= done]
            if not ready:
                raise ValueError("the prerequisites form a cycle")
            rounds.append(ready)
            done |= {a.code for a in ready}
            remaining = [a for a in remaining if a.code not in done]
        return rounds

    def critical_path(self) -> list[str]:
        """The chain of approvals whose limits add up to the longest time."""
        by_code = {a.code: a for a in self.approvals}
        longest: dict[str, tuple[int, list[str]]] = {}
        for step in (a for round_ in self.rounds() for a in round_):
            before = max((longest[r] for r in step.requires), default=(0, []))
            longest[step.code] = (before[0] + step.working_days, [*before[1], step.code])
        return max(longest.values())[1] if by_code else []

    def planned_working_days(self) -> int:
        by_code = {a.code: a for a in self.approvals}
        return sum(by_code[c].working_days for c in self.critical_path())


def project_outcome(decisions: dict[str, ApprovalDecision]) -> tuple[str, dict[str, str]]:
    """HC-14b: a project ends approved when its last round is approved; any rejection ends it
    rejected, with each rejecting department's reasons."""
    rejected = {group: d.reasons or "" for group, d in decisions.items()
                if d.outcome == "reject"}
    return ("rejected" if rejected else "approved"), rejected
