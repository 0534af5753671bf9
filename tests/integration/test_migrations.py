import json
import os
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.platform.db.migrate import pending, upgrade
from services.platform.db.uow import Database
from services.tables import Base
from tests.conftest import create_postgres_database


def test_the_migrations_build_exactly_the_schema_the_models_declare(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_a_migrated_database_has_nothing_pending(db):
    assert pending(db) is False


def test_migrating_twice_changes_nothing(fresh_db):
    upgrade(fresh_db)
    assert pending(fresh_db) is False


@pytest.fixture
def unmigrated_db(tmp_path) -> Database:
    base = os.environ.get("GOVFLOW_TEST_DATABASE_URL")
    url = (create_postgres_database(base, f"{make_url(base).database}_unmigrated") if base
           else f"sqlite:///{tmp_path / 'unmigrated.db'}")
    database = Database(url)
    yield database
    database.dispose()


def test_an_application_filed_before_applicant_accounts_is_found_by_its_applicants_number(
        unmigrated_db):
    upgrade(unmigrated_db, "0004")
    now = datetime.now(UTC)
    with unmigrated_db.engine.begin() as connection:
        for receipt_no, applicant in [
                ("st-03-20260803-0001", {"kind": "person", "id_number": "11010519491231002X"}),
                ("st-03-20260803-0002", {"kind": "enterprise",
                                         "credit_code": "91350100M000100Y43"})]:
            connection.execute(text(
                "INSERT INTO cases (receipt_no, process, process_version, status, subject, "
                "details, created_at, updated_at) VALUES (:receipt_no, 'approval', 1, "
                "'in_progress', '旧申请', :details, :now, :now)"),
                {"receipt_no": receipt_no, "now": now,
                 "details": json.dumps({"applicant": applicant})})
    upgrade(unmigrated_db)
    with unmigrated_db.engine.connect() as connection:
        found = connection.execute(text(
            "SELECT receipt_no, applicant_number FROM cases ORDER BY receipt_no")).all()
    assert [tuple(r) for r in found] == [("st-03-20260803-0001", "11010519491231002X"),
                                         ("st-03-20260803-0002", "91350100M000100Y43")]
