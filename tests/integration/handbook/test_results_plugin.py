"""The results plugin, in a real pytest run of the test-only sample feature: every scenario and
every example row, with its steps, data tables, skip reason, commit and time."""

import subprocess

from services.handbook.results import read_runs
from tests.handbook_sample import (
    FAILING,
    FEATURE_PATH,
    OUTLINE,
    PASSING,
    REPO,
    SKIP_REASON,
    SKIPPED,
    record_sample_run,
)


def test_a_run_records_each_scenario_and_row_with_its_steps(tmp_path):
    [run] = read_runs(record_sample_run(tmp_path))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                          text=True).stdout.strip()
    assert run.commit == head and run.started_at <= run.finished_at
    by_name = {}
    for result in run.scenarios:
        assert result.feature == FEATURE_PATH
        by_name.setdefault(result.name, []).append(result)

    [passing] = by_name[PASSING]
    assert passing.status == "passed"
    assert passing.steps[0].keyword == "假如"
    assert passing.steps[0].table == [["材料", "份数"], ["身份证", "1"]]

    [failing] = by_name[FAILING]
    assert failing.status == "failed" and "样例故意不通过" in failing.message
    assert [s.status for s in failing.steps] == ["passed", "failed"]

    [skipped] = by_name[SKIPPED]
    assert (skipped.status, skipped.skip_reason) == ("skipped", SKIP_REASON)
    assert [s.status for s in skipped.steps] == ["skipped", "skipped"]

    rows = sorted(by_name[OUTLINE], key=lambda r: r.row)
    assert [(r.row, r.row_values["次数"], r.status) for r in rows] == [
        (0, "0", "passed"), (1, "1", "passed"), (2, "2", "passed"), (3, "3", "failed")]
    assert rows[3].steps[0].text == "申请人到现场3次"  # the row's values, as it ran


def test_a_second_run_is_kept_beside_the_first(tmp_path):
    record_sample_run(tmp_path)
    record_sample_run(tmp_path)
    assert len(read_runs(tmp_path)) == 2
