"""A test-only feature for the policy handbook's tests, kept out of features/: it passes,
fails and skips on purpose. `record_sample_run` runs it in a pytest of its own (with the
results plugin) and returns the folder the run was recorded in."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FEATURES = HERE / "features"
FEATURE_PATH = "tests/handbook_sample/features/notice.feature"
FAILING = "故意不通过的样例场景"
OUTLINE = "样例现场次数"
PASSING = "缺件时一次列明全部缺少的材料"
SKIPPED = "暂缓运行的样例场景"
SKIP_REASON = "等待部门确认材料清单（样例）"


def record_sample_run(results_dir: Path) -> Path:
    env = os.environ | {"GOVFLOW_HANDBOOK_RESULTS_DIR": str(results_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "sample_steps.py"), "-q",
         "-p", "no:cacheprovider"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300)
    # 1 scenario and 1 example row fail on purpose: pytest exits 1, and nothing else.
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 failed, 4 passed, 1 skipped" in done.stdout, done.stdout[-3000:]
    return results_dir
