"""The handbook's facts: the clause registry joined with the scenarios that carry each clause's
tag and the results the kept runs recorded for them.

A clause is *uncovered* when no scenario names it, *failing* when a scenario (or an example
row) that names it failed in the last run that ran it, *passing* when at least one passed and
none failed, and *not run* otherwise (its scenarios were skipped or never run)."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from policies.handbook.clauses import Clause, ClauseRegistry
from services.handbook.features import (
    CLAUSE_LIKE_TAG,
    CLAUSE_TAG,
    Feature,
    Scenario,
    read_features,
)
from services.handbook.registry import read_registry
from services.handbook.results import RunRecord, ScenarioResult, read_runs
from services.handbook.settings import HandbookSettings

CLAUSE_STATUSES = ("passing", "failing", "not_run", "uncovered")
STATUS_ZH = {"passing": "通过", "failing": "未通过", "not_run": "未运行", "uncovered": "未覆盖",
             "passed": "通过", "failed": "未通过", "skipped": "跳过", "flaky": "不稳定"}
Key = tuple[str, int, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one run recorded for one scenario or example row."""
    run: RunRecord
    result: ScenarioResult


@dataclass(frozen=True)
class Since:
    status: str
    since: datetime | None
    flaky: bool


@dataclass(frozen=True)
class UnknownTag:
    feature: str
    line: int
    tag: str


@dataclass
class Handbook:
    registry: ClauseRegistry
    features: list[Feature]
    runs: list[RunRecord]  # oldest first
    glossary: list[tuple[str, str, str]] = field(default_factory=list)
    flaky_window: int = 5
    _history: dict[Key, list[Outcome]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for run in self.runs:
            for result in run.scenarios:
                self._history.setdefault(result.key, []).append(Outcome(run, result))

    # -- scenarios -------------------------------------------------------------------------

    def scenarios(self) -> list[tuple[Feature, Scenario]]:
        return [(f, s) for f in self.features for s in f.all_scenarios()]

    def scenarios_of(self, clause_id: str) -> list[tuple[Feature, Scenario]]:
        return [(f, s) for f, s in self.scenarios() if clause_id in s.clause_ids]

    def keys(self, feature: Feature, scenario: Scenario) -> list[Key]:
        if scenario.is_outline:
            return [(feature.path, scenario.line, row.index) for row in scenario.rows]
        return [(feature.path, scenario.line, None)]

    def history(self, key: Key) -> list[Outcome]:
        return self._history.get(key, [])

    def latest(self, key: Key) -> Outcome | None:
        outcomes = self.history(key)
        return outcomes[-1] if outcomes else None

    def scenario_status(self, feature: Feature, scenario: Scenario) -> str:
        """passed / failed / skipped / not_run, over every example row of an outline."""
        latest = [self.latest(k) for k in self.keys(feature, scenario)]
        return _combine([o.result.status for o in latest if o is not None])

    # -- clauses ---------------------------------------------------------------------------

    def clause_status(self, clause: Clause) -> str:
        found = self.scenarios_of(clause.id)
        if not found:
            return "uncovered"
        return _clause_word(_combine([self.scenario_status(f, s) for f, s in found]))

    def clause_history(self, clause: Clause) -> list[tuple[RunRecord, str, int, int]]:
        """Per kept run that ran the clause: (run, status, passed rows, failed rows)."""
        keys = {k for f, s in self.scenarios_of(clause.id) for k in self.keys(f, s)}
        rows = []
        for run in self.runs:
            statuses = [r.status for r in run.scenarios if r.key in keys]
            if statuses:
                rows.append((run, _clause_word(_combine(statuses)), statuses.count("passed"),
                             statuses.count("failed")))
        return rows

    def clause_since(self, clause: Clause) -> Since:
        """Passing since / failing since (the first run of the current streak) and flaky."""
        status = self.clause_status(clause)
        history = [(run, s) for run, s, _, _ in self.clause_history(clause)
                   if s in ("passing", "failing")]
        since = None
        for run, s in reversed(history):
            if s != status:
                break
            since = run.finished_at
        # Flaky: it went back and forth (two changes or more) within the window; one change
        # is a fix or a regression, not flakiness.
        window = [s for _, s in history[-self.flaky_window:]]
        changes = sum(a != b for a, b in zip(window, window[1:], strict=False))
        return Since(status=status, since=since, flaky=changes >= 2)

    def counts(self, clauses: list[Clause]) -> dict[str, int]:
        counts = dict.fromkeys(CLAUSE_STATUSES, 0)
        for clause in clauses:
            counts[self.clause_status(clause)] += 1
        return counts

    def counts_by(self, attribute: str) -> dict[str, dict[str, int]]:
        groups: dict[str, list[Clause]] = {}
        for clause in self.registry.clauses:
            groups.setdefault(getattr(clause, attribute), []).append(clause)
        return {name: self.counts(clauses) for name, clauses in groups.items()}

    def counts_over_runs(self) -> list[tuple[RunRecord, dict[str, int]]]:
        """After each kept run, the clause counts as the handbook would have shown them then
        (each scenario's newest result so far; today's features and registry)."""
        latest: dict[Key, str] = {}
        series = []
        for run in self.runs:
            latest.update({r.key: r.status for r in run.scenarios})
            counts = dict.fromkeys(CLAUSE_STATUSES, 0)
            for clause in self.registry.clauses:
                found = self.scenarios_of(clause.id)
                if not found:
                    counts["uncovered"] += 1
                    continue
                statuses = [latest[k] for f, s in found for k in self.keys(f, s) if k in latest]
                counts[_clause_word(_combine(statuses))] += 1
            series.append((run, counts))
        return series

    # -- the checks ------------------------------------------------------------------------

    def unknown_tags(self) -> list[UnknownTag]:
        """Tags that look like a clause id but name no clause of the registry."""
        unknown = []
        for feature, scenario in self.scenarios():
            for tag in scenario.all_tags:
                if not CLAUSE_LIKE_TAG.match(tag):
                    continue
                match = CLAUSE_TAG.match(tag)
                if match is None or self.registry.get(match.group(1)) is None:
                    unknown.append(UnknownTag(feature.path, scenario.line, tag))
        return unknown

    @property
    def last_run(self) -> RunRecord | None:
        return self.runs[-1] if self.runs else None


def _combine(statuses: list[str]) -> str:
    if "failed" in statuses:
        return "failed"
    if "passed" in statuses:
        return "passed"
    return "skipped" if "skipped" in statuses else "not_run"


def _clause_word(status: str) -> str:
    return {"failed": "failing", "passed": "passing"}.get(status, "not_run")


def load_handbook(settings: HandbookSettings | None = None,
                  extra_features: list[Path] | None = None) -> Handbook:
    """Everything the pages show, read afresh (features, registry, glossary, kept runs);
    `extra_features`: more folders of features (the browser tests' own)."""
    settings = settings or HandbookSettings()
    root = settings.repository()
    features = read_features(root / settings.features_dir, root)
    for folder in [*settings.extra_features_dirs, *(extra_features or [])]:
        features += read_features(root / folder, root)
    return Handbook(registry=read_registry(), features=features,
                    runs=read_runs(settings.runs_dir()),
                    glossary=read_glossary(root / settings.glossary_file),
                    flaky_window=settings.flaky_window)


_ROW = re.compile(r"^\|(.+)\|\s*$")


def read_glossary(path: Path) -> list[tuple[str, str, str]]:
    """The rows of docs/glossary.md's tables: (中文, English, meaning)."""
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if not match:
            continue
        cells = [c.strip() for c in match.group(1).split("|")]
        if len(cells) < 2 or cells[0] in ("中文", "") or set(cells[0]) <= set("-: "):
            continue
        entries.append((cells[0], cells[1].replace("`", ""), cells[2] if len(cells) > 2 else ""))
    return entries
