"""The `govflow` command as an operator runs it: a real process on a real database."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from api.cli import prepare
from services.platform import identity, reference_data
from services.platform.reference_data import DATA_DIR, REFERENCE_FILES
from services.platform.settings import Settings

GOVFLOW = str(Path(sys.executable).parent / "govflow")


def govflow(db, *args) -> subprocess.CompletedProcess:
    env = os.environ | {"GOVFLOW_DATABASE_URL": db.url, "COLUMNS": "200"}
    return subprocess.run([GOVFLOW, *args], env=env, capture_output=True, text=True, timeout=120)


def test_load_reference_refuses_bad_data_and_names_the_entry(fresh_db, tmp_path):
    for name in REFERENCE_FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    stations = yaml.safe_load((tmp_path / "stations.yaml").read_text(encoding="utf-8"))
    stations["stations"][7]["kind"] = "kiosk"
    (tmp_path / "stations.yaml").write_text(yaml.safe_dump(stations, allow_unicode=True))
    result = govflow(fresh_db, "load-reference", "--directory", str(tmp_path))
    assert result.returncode == 2
    assert "stations.yaml: stations[7] (st-08): field 'kind'" in result.stdout


def test_an_administrator_account_is_created_from_the_command_line(fresh_db):
    result = govflow(fresh_db, "users", "create", "ops-admin", "admin", "--name", "运维管理员")
    assert result.returncode == 0, result.stderr
    password = result.stdout.strip().rsplit("password: ", 1)[1]
    actor = identity.authenticate(fresh_db, "ops-admin", password)
    assert actor.role.value == "admin"


def test_outside_the_embedded_mode_start_up_creates_no_account(fresh_db):
    production = Settings(mode="production", secret_key="s" * 40, database_url=fresh_db.url)
    prepare(production)
    assert reference_data.count_rows(fresh_db)["services"] == 91
    assert identity.count_users(fresh_db) == 0


def test_in_the_embedded_mode_start_up_creates_the_demo_accounts_once(fresh_db):
    embedded = Settings(database_url=fresh_db.url, demo_password="demo-password-9")
    prepare(embedded)
    prepare(embedded)
    assert identity.count_users(fresh_db) == 2 + 43 + 49 + 1 + 4 + 16
    assert identity.authenticate(fresh_db, "officer-health", "demo-password-9")
