"""Test fixtures: a fresh, migrated, loaded database per session (SQLite by default;
PostgreSQL when GOVFLOW_TEST_DATABASE_URL says so), an API client, logged-in staff."""

import itertools
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from policies.access import Actor, Role
from services.platform import identity, reference_data
from services.platform.db.migrate import upgrade
from services.platform.db.uow import Database
from services.platform.settings import Settings

DEMO_PASSWORD = "test-demo-password"
SYSTEM = Actor(username="system:tests", role=Role.ADMIN)
_fresh_numbers = itertools.count(1)
pytest_plugins = ["tests.handbook_results"]  # the policy handbook's record of each run


def pytest_bdd_apply_tag(tag, function):
    """Clause tags (@HC-11a) become `clause` markers: `pytest -m clause` selects policy tests."""
    pytest.mark.clause(tag)(function)
    return True


def pytest_configure(config):
    config.addinivalue_line("markers", "clause(id): scenario encodes a clause of the article")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    base = os.environ.get("GOVFLOW_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'govflow.db'}"
    return create_postgres_database(base, make_url(base).database)


def create_postgres_database(base_url: str, name: str) -> str:
    admin = create_engine(make_url(base_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def copy_postgres_database(template: str, name: str) -> str:
    """A copy of the `template` database (PostgreSQL's CREATE DATABASE … TEMPLATE)."""
    admin = create_engine(make_url(template).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(
            f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"'))
    admin.dispose()
    return make_url(template).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def db(database_url) -> Database:
    database = Database(database_url)
    upgrade(database)
    reference_data.load_reference(database, reference_data.read_reference(), SYSTEM)
    identity.ensure_demo_accounts(database, DEMO_PASSWORD)
    yield database
    database.dispose()


@pytest.fixture
def fresh_db(tmp_path) -> Database:
    """An empty, migrated database of the same kind, for tests that must own the whole of it."""
    base = os.environ.get("GOVFLOW_TEST_DATABASE_URL")
    if base:
        url = create_postgres_database(base, f"{make_url(base).database}_{next(_fresh_numbers)}")
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    database = Database(url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def settings(database_url) -> Settings:
    return Settings(database_url=database_url, prefect_api_url="http://127.0.0.1:9/api")


@pytest.fixture(scope="session")
def client(db, settings) -> TestClient:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def login(client):
    """`login("officer-civil-affairs")` → headers carrying that demo account's bearer token."""
    tokens: dict[str, str] = {}

    def headers_for(username: str) -> dict[str, str]:
        if username not in tokens:
            response = client.post("/api/v1/auth/token",
                                   data={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.text
            tokens[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers_for


REPO = Path(__file__).resolve().parent.parent
