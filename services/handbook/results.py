"""Recorded test runs: one JSON file per run (written by tests/handbook_results.py), the oldest
deleted beyond the retention setting. Each holds, for every scenario and every example row, its
status, its steps with their data tables, the skip reason, and the run's commit and time."""

import json
import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

Status = Literal["passed", "failed", "skipped"]
StepStatus = Literal["passed", "failed", "skipped", "undefined"]


class StepResult(BaseModel):
    keyword: str
    text: str
    line: int
    status: StepStatus
    table: list[list[str]] | None = None


class ScenarioResult(BaseModel):
    feature: str  # path from the repository root, as features.Feature.path
    line: int  # the scenario's line
    name: str
    row: int | None = None  # the example row's index (outlines), as pytest-bdd numbers them
    row_values: dict[str, str] | None = None
    status: Status
    skip_reason: str | None = None
    message: str | None = None  # the first line of the failure
    duration: float = 0.0
    steps: list[StepResult] = []

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.feature, self.line, self.row)


class RunRecord(BaseModel):
    id: str
    started_at: datetime
    finished_at: datetime
    commit: str | None = None
    dirty: bool = False
    scenarios: list[ScenarioResult] = Field(default_factory=list)


def write_run(directory: Path, run: RunRecord, keep: int) -> Path:
    """Write the run (atomically: a reader never sees half a file) and delete the oldest
    runs beyond `keep`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"run-{run.id}.json"
    partial = path.with_suffix(".json.partial")
    partial.write_text(run.model_dump_json(indent=1), encoding="utf-8")
    os.replace(partial, path)
    for old in _run_files(directory)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def read_runs(directory: Path) -> list[RunRecord]:
    """The kept runs, oldest first; a file that does not parse is skipped, not fatal (a run
    killed half-way must not take the handbook down)."""
    runs = []
    for path in _run_files(directory):
        try:
            stat = path.stat()
            runs.append(_read_run(path, stat.st_mtime_ns, stat.st_size))
        except (OSError, ValueError, ValidationError):
            continue
    return sorted(runs, key=lambda r: r.finished_at)


@lru_cache(maxsize=256)
def _read_run(path: Path, mtime_ns: int, size: int) -> RunRecord:
    """A run file parsed once (runs are written once; the key changes if one is rewritten):
    every served page reads every kept run."""
    return RunRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _run_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(directory.glob("run-*.json"))
