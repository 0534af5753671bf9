"""A pytest plugin that records, for the policy handbook, the result of every scenario and of
every example row of an outline: status, steps with their data tables, skip reason, commit and
time. One JSON file per run under GOVFLOW_HANDBOOK_RESULTS_DIR (var/handbook/runs), so `make
test` refreshes what the handbook shows. pytest-bdd's --cucumberjson is not used: it drops data
tables, rules and skipped scenarios.

Registered from tests/conftest.py (`pytest_plugins`)."""

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from services.handbook.results import RunRecord, ScenarioResult, StepResult, write_run
from services.handbook.settings import HandbookSettings

_RESULTS = pytest.StashKey[dict]()
_STEPS = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[_RESULTS] = {"started": datetime.now(UTC), "scenarios": {}}


def pytest_bdd_before_scenario(request, feature, scenario):
    request.node.stash[_STEPS] = [
        {"keyword": s.keyword.strip(), "text": s.name, "line": s.line_number, "status": "skipped",
         "table": [[c.value for c in row.cells] for row in s.datatable.rows]
         if s.datatable else None}
        for s in scenario.steps]


def _mark_step(request, step, status):
    for recorded in request.node.stash.get(_STEPS, []):
        if recorded["line"] == step.line_number and recorded["status"] == "skipped":
            recorded["status"] = status
            return


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
    _mark_step(request, step, "passed")


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args,
                          exception):
    _mark_step(request, step, "failed")


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    _mark_step(request, step, "undefined")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    template = scenario_wrapper_template_registry.get(getattr(item, "function", None))
    if template is None:
        return report
    results = item.config.stash[_RESULTS]["scenarios"]
    key = item.nodeid
    status = _status(report)
    if report.when in ("setup", "call") or status == "failed":  # a passing teardown adds nothing
        results[key] = _scenario_result(item, template, status, report)
    results[key].steps = [StepResult(**s) for s in item.stash.get(_STEPS, [])] or \
        results[key].steps
    return report


def _status(report) -> str:
    if report.skipped:
        return "skipped"
    return "failed" if report.failed else "passed"


def _scenario_result(item, template, status, report) -> ScenarioResult:
    callspec = getattr(item, "callspec", None)
    row = callspec.indices.get("_pytest_bdd_example") if callspec else None
    values = callspec.params.get("_pytest_bdd_example") if callspec else None
    rootdir = Path(item.config.rootpath).resolve()
    feature = Path(template.feature.filename).resolve().relative_to(rootdir).as_posix()
    return ScenarioResult(
        feature=feature, line=template.line_number, name=template.name, row=row,
        row_values=dict(values) if values else None, status=status,
        skip_reason=_skip_reason(report) if status == "skipped" else None,
        message=_message(report) if status == "failed" else None, duration=report.duration)


def _skip_reason(report) -> str | None:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return getattr(report, "wasxfail", None)


def _message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash else str(report.longrepr)
    return text.strip().splitlines()[0][:500] if text.strip() else "failed"


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller writes
        return
    recorded = session.config.stash[_RESULTS]
    if not recorded["scenarios"]:
        return
    settings = HandbookSettings()
    started = recorded["started"]
    commit, dirty = _commit(Path(session.config.rootpath))
    run = RunRecord(id=f"{started:%Y%m%dT%H%M%S%fZ}-{os.getpid()}", started_at=started,
                    finished_at=datetime.now(UTC), commit=commit, dirty=dirty,
                    scenarios=list(recorded["scenarios"].values()))
    results_dir = settings.results_dir
    if not results_dir.is_absolute():
        results_dir = Path(session.config.rootpath) / results_dir
    write_run(results_dir, run, settings.runs_kept)


def _commit(root: Path) -> tuple[str | None, bool]:
    """The commit the run tested, and whether the working tree differed from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=root, capture_output=True, text=True, timeout=10).stdout
        return head, bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        return None, False
