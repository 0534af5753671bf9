"""The stack split into roles (`govflow up --role …`): a Prefect role refuses a database that
several Prefect processes cannot share. The roles at work, several replicas of each behind load
balancers and one of each kind killed under 200 cases, are tests/e2e/test_topology.py's."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
GOVFLOW = str(Path(sys.executable).parent / "govflow")


def test_a_prefect_role_refuses_sqlite_and_says_what_it_needs(tmp_path):
    env = os.environ | {"GOVFLOW_PREFECT_DATABASE_URL": "", "GOVFLOW_REDIS_URL": ""}
    refused = subprocess.run([GOVFLOW, "up", "--role", "prefect-api"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "needs PostgreSQL for Prefect's database" in " ".join(refused.stdout.split())
