"""`govflow handbook build` as an operator runs it, and `govflow up`'s list of addresses."""

import json
import os
import subprocess
import sys
from pathlib import Path

from api.cli import _print_urls, console
from api.supervisor import StackRole, addresses
from services.platform.settings import Settings
from tests.handbook_sample import FEATURES as SAMPLE_FEATURES
from tests.handbook_sample import record_sample_run

GOVFLOW = str(Path(sys.executable).parent / "govflow")


def build(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([GOVFLOW, "handbook", "build", "--out", str(tmp_path / "site")],
                          env=os.environ | {"COLUMNS": "200"} | env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_build_writes_a_page_per_clause_and_reports_the_matrix(tmp_path):
    runs = record_sample_run(tmp_path / "runs")
    done = build(tmp_path, GOVFLOW_HANDBOOK_RESULTS_DIR=str(runs),
                 GOVFLOW_HANDBOOK_EXTRA_FEATURES_DIRS=json.dumps([str(SAMPLE_FEATURES)]))
    assert done.returncode == 0, done.stderr
    assert "30 clauses: " in done.stdout and "1 failing" in done.stdout
    site = tmp_path / "site"
    assert len(list((site / "clauses").glob("*.html"))) == 30
    assert (site / "index.html").read_text(encoding="utf-8").count('data-clause="') == 30
    assert (site / "coverage.xlsx").stat().st_size > 0
    assert (site / "data/policies/data/org.yaml").is_file()


def test_build_refuses_a_scenario_tag_naming_no_clause(tmp_path):
    features = tmp_path / "features"
    features.mkdir()
    (features / "wrong.feature").write_text(
        "# language: zh-CN\n功能: 标签写错\n\n  @HC-11x\n  场景: 写错的条款号\n"
        "    当 窗口人员审核材料\n", encoding="utf-8")
    done = build(tmp_path, GOVFLOW_HANDBOOK_EXTRA_FEATURES_DIRS=json.dumps([str(features)]))
    assert done.returncode == 1
    assert "@HC-11x" in done.stdout and "wrong.feature:5" in done.stdout
    assert not (tmp_path / "site").exists()


def test_govflow_up_prints_the_handbooks_address():
    with console.capture() as captured:
        _print_urls(addresses(StackRole.ALL, Settings(port=8000)))
    assert "http://127.0.0.1:8000/handbook/" in captured.get()
