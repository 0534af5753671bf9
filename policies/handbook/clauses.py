"""The clause registry: the project's copy of the clause table of the article (id, source text,
district report, the rule in plain words, the process, when it applies). Scenarios in features/
name clauses by id (`@HC-11e`); the handbook joins them with the test results."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ClauseId = Field(pattern=r"^(HC|LK|QL)-\d{2}[a-z]?$")
ProcessCode = Field(pattern=r"^[a-z][a-z_]*$")

SOURCE_REPORTS = {"HC": "海沧区（厦门市）", "LK": "龙口市", "QL": "麒麟区（曲靖市）"}


class ProcessStep(BaseModel):
    """A step of the process as designed, with the clauses that govern it."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_zh: str = Field(min_length=1, max_length=12)
    clauses: list[str] = []


class CaseTrail(BaseModel):
    """How a process's cases show in the audit trail, for the process-mining page: the
    process names its cases carry in the work layer (a `case.started` event names one), the
    actions that open a case when no `case.started` does, and each action's Chinese name."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    processes: list[str] = []
    opened_by: list[str] = []
    activities: dict[str, str] = {}


class Process(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = ProcessCode
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    # The declared order of its steps: the process page's diagram is drawn from it.
    steps: list[ProcessStep] = []
    cases: CaseTrail = CaseTrail()


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = ClauseId
    source: Literal["HC", "LK", "QL"]
    process: str = ProcessCode
    core: bool
    source_text: str = Field(min_length=2)
    rule: str = Field(min_length=2)
    effective_from: date
    effective_to: date | None = None
    # Files under policies/ that the rule reads (the catalogue, the org tree, a plan …).
    reads: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> "Clause":
        if not self.id.startswith(self.source + "-"):
            raise ValueError(f"{self.id}: the id's prefix names the report, not {self.source}")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"{self.id}: effective_to is before effective_from")
        for path in self.reads:
            if not path.startswith("policies/") or ".." in path:
                raise ValueError(f"{self.id}: reads {path!r}, not a file under policies/")
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class ClauseRegistry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    processes: list[Process] = Field(min_length=1)
    clauses: list[Clause] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique_and_processes_known(self) -> "ClauseRegistry":
        ids = [c.id for c in self.clauses]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"clause ids listed twice: {doubles}")
        codes = {p.code for p in self.processes}
        for clause in self.clauses:
            if clause.process not in codes:
                raise ValueError(f"{clause.id}: unknown process {clause.process!r}")
        for process in self.processes:
            for step in process.steps:
                unknown = set(step.clauses) - set(ids)
                if unknown:
                    raise ValueError(f"process {process.code}, step {step.name_zh}: "
                                     f"unknown clauses {sorted(unknown)}")
        self._trails_unambiguous()
        return self

    def _trails_unambiguous(self) -> None:
        """A case's process name or opening action must point at one process only."""
        for kind in ("processes", "opened_by"):
            names = [n for p in self.processes for n in getattr(p.cases, kind)]
            doubles = sorted({n for n in names if names.count(n) > 1})
            if doubles:
                raise ValueError(f"cases.{kind} named by two processes: {doubles}")

    def process_of_case(self, started_as: str | None, first_action: str) -> str | None:
        """The registry's process of a case: the one whose cases carry the process name its
        start event recorded, else the one whose cases open with its first action."""
        for process in self.processes:
            if started_as in process.cases.processes or (
                    started_as is None and first_action in process.cases.opened_by):
                return process.code
        return None

    def activity_names(self) -> dict[str, str]:
        return {a: zh for p in self.processes for a, zh in p.cases.activities.items()}

    def get(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    def process(self, code: str) -> Process:
        return next(p for p in self.processes if p.code == code)

    @property
    def ids(self) -> set[str]:
        return {c.id for c in self.clauses}
