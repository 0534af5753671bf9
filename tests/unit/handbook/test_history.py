"""A clause's status over the kept runs: passing since, failing since, flaky; and retention."""

from datetime import UTC, datetime, timedelta

from services.handbook.coverage import Handbook
from services.handbook.features import Feature, Scenario, Step
from services.handbook.registry import read_registry
from services.handbook.results import RunRecord, ScenarioResult, read_runs, write_run

PATH = "features/one_stop/notice.feature"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _feature() -> Feature:
    scenario = Scenario(keyword="场景", name="一次告知", line=5, description="",
                        tags=["@HC-11e"], inherited_tags=[],
                        steps=[Step(keyword="当", text="窗口人员审核材料", line=6)])
    return Feature(path=PATH, language="zh-CN", keyword="功能", name="告知", description="",
                   tags=[], background=None, scenarios=[scenario], rules=[])


def _run(day: int, status: str, commit: str = "c0") -> RunRecord:
    at = T0 + timedelta(days=day)
    return RunRecord(id=f"{day:04d}", started_at=at, finished_at=at, commit=commit,
                     scenarios=[ScenarioResult(feature=PATH, line=5, name="一次告知",
                                               status=status)])


def _since(*statuses: str):
    handbook = Handbook(registry=read_registry(), features=[_feature()],
                        runs=[_run(i, s) for i, s in enumerate(statuses)])
    return handbook.clause_since(read_registry().get("HC-11e"))


def test_passing_since_the_first_run_of_the_current_streak():
    since = _since("failed", "passed", "passed")
    assert (since.status, since.since, since.flaky) == ("passing", T0 + timedelta(days=1), False)


def test_failing_since_the_first_failing_run():
    since = _since("passed", "passed", "passed", "passed", "passed", "failed", "failed")
    assert (since.status, since.since) == ("failing", T0 + timedelta(days=5))
    assert not since.flaky  # one change is a regression, not flakiness


def test_a_clause_that_went_back_and_forth_is_flaky_until_the_window_is_clean():
    assert _since("passed", "failed", "passed").flaky
    assert _since("failed", "passed", "failed").flaky
    assert not _since("passed", "failed", "passed", "passed", "passed", "passed").flaky


def test_a_skipped_run_neither_starts_nor_breaks_a_streak():
    since = _since("passed", "skipped", "passed")
    assert (since.status, since.since) == ("passing", T0)


def test_only_the_newest_runs_are_kept(tmp_path):
    for day in range(5):
        write_run(tmp_path, _run(day, "passed"), keep=3)
    assert [r.id for r in read_runs(tmp_path)] == ["0002", "0003", "0004"]


def test_a_half_written_run_file_is_ignored_not_fatal(tmp_path):
    write_run(tmp_path, _run(0, "passed"), keep=3)
    (tmp_path / "run-9999.json").write_text("{\"id\": ", encoding="utf-8")
    assert [r.id for r in read_runs(tmp_path)] == ["0000"]


def test_the_counts_after_each_run_follow_the_newest_result_so_far():
    handbook = Handbook(registry=read_registry(), features=[_feature()],
                        runs=[_run(0, "passed"), _run(1, "failed"), _run(2, "passed")])
    series = [(c["passing"], c["failing"], c["uncovered"]) for _, c in
              handbook.counts_over_runs()]
    assert series == [(1, 0, 29), (0, 1, 29), (1, 0, 29)]
