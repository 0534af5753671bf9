"""The API keeps the contract its OpenAPI document states, for every operation in it.

Schemathesis generates requests from the document (its examples, boundary and coverage cases,
and random fuzzing, valid and invalid), sends them as the demo administrator to the app of the
`client` fixture, in process, and runs every one of its checks on each answer: no server
error; only documented status codes, content types, headers and body shapes; schema-valid
input accepted and schema-invalid input refused; a missing or wrong token refused wherever the
document asks for one; 405 with a true Allow header for methods a path does not have.

Generation is derandomised under a fixed seed, so a failure here fails the same way everywhere,
and nothing Hypothesis learns is written into the repository.
"""

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis import Config

from api.app import create_app
from services.platform import identity, reference_data
from services.platform.db.migrate import upgrade
from services.platform.db.uow import Database
from services.platform.settings import Settings
from tests.conftest import DEMO_PASSWORD, SYSTEM, copy_postgres_database, create_postgres_database

# Hypothesis caches what it reads of the source under ./.hypothesis, already while the tests
# below are collected; the example database itself is switched off in CONFIG.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "govflow-hypothesis")

# Schema-valid input may still break a rule JSON Schema cannot state, and is then refused with
# 422 naming the field: a citizen ID's date of birth and check digit (GB 11643), a credit
# code's check character (GB 32100), a service, station or department that must exist in the
# reference data, a date in a year the working-day calendar covers, an applicant giving one of
# an ID number and a credit code and filing for itself only through the channel its role has.
# Only these operations take such input; everywhere else a schema-valid request answered 422
# fails the test.
RULES_BEYOND_THE_SCHEMA = [
    "GET /api/v1/calendar/due-date",
    "POST /api/v1/auth/applicants",
    "POST /api/v1/users",
    "POST /api/v1/cases",
    "POST /api/v1/projects",
    "POST /api/v1/projects/{case_id}/joint-reviews",
    "POST /api/v1/applications",
    # a work item's own rules, met only once items are open (other processes' tests leave
    # some): an assignee or signer in its candidate group, a decision in its form, a return
    # to one of its case's earlier steps
    "POST /api/v1/work-items/{item_id}/assign",
    "POST /api/v1/work-items/{item_id}/delegate",
    "POST /api/v1/work-items/{item_id}/decision",
    "POST /api/v1/work-items/{item_id}/return",
    "POST /api/v1/work-items/{item_id}/add-signer",
    # the month's plan: members imported and a month the calendar covers; only a draft is
    # published; a decline or swap within its window; attendance of people planned there; a
    # re-plan names a change, of projects that exist
    "POST /api/v1/volunteering/plans/{month}/draft",
    "POST /api/v1/volunteering/plans/{plan_id}/publish",
    "POST /api/v1/volunteering/plans/{plan_id}/review",
    "POST /api/v1/volunteering/members/{code}/declines",
    "POST /api/v1/volunteering/members/{code}/swaps",
    "POST /api/v1/volunteering/activities/{activity}/attendance",
    # grassroots: a category, grid, building, department, community or wish kind of the data;
    # a failed verification states its reasons
    "POST /api/v1/issues",
    "POST /api/v1/issues/{case_id}/supervision",
    "POST /api/v1/issues/{case_id}/photos",  # a JPEG or PNG, read from its bytes
    "POST /api/v1/issues/{case_id}/whistle",
    "POST /api/v1/issues/{case_id}/whistle/summons",
    "POST /api/v1/wishes",
    "POST /api/v1/wishes/{case_id}/assignment",
    "POST /api/v1/forum/reserve/{person}/trainings",  # a training base named in the data
    "POST /api/v1/forum/reserve/{person}/selections",  # the eligibility the data sets
    "POST /api/v1/forum/forums/{forum_id}/record",  # topics proposed, owners, the quarter
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # Schemathesis's default

CONFIG = Config.from_dict({
    "seed": 7807,
    # 25 fuzzed cases per operation on top of its examples and coverage cases: ~30 s here.
    # No NUL characters: the API refuses them everywhere, which the last test here shows.
    "generation": {"max-examples": 25, "deterministic": True, "database": "none",
                   "allow-x00": False},
    # All checks; use_after_free, ensure_resource_availability and object_level_authorization
    # judge sequences of calls or several identities, so single calls as one user pass them.
    "checks": {"enabled": True},
    "operations": [
        {"include-name": RULES_BEYOND_THE_SCHEMA,
         "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}}},
        # The test settings point at a Prefect server that does not exist, so /readyz answers
        # its documented 503 problem; any other 5xx there still fails.
        {"include-path": "/readyz",
         "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}}},
    ],
})
# Loaded at import, as schemathesis.pytest.from_fixture("client") fails under pytest 9.2 (its
# test nodes have no `_nodeid`). The document does not depend on the settings; the requests
# go to the `client` fixture's app.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite://")).openapi(), config=CONFIG)


@pytest.fixture(scope="module")
def template_database(database_url, tmp_path_factory) -> str:
    """A migrated database of the suite's kind with the reference data and demo accounts,
    copied for the calls below: what the API answers then depends on the calls alone, not on
    what other tests left in the session's database (open work items, imported members)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'template.db'}"
    else:
        url = create_postgres_database(database_url, "govflow_contract_template")
    database = Database(url)
    upgrade(database)
    reference_data.load_reference(database, reference_data.read_reference(), SYSTEM)
    identity.ensure_demo_accounts(database, DEMO_PASSWORD)
    database.dispose()
    return url


def app_on_a_copy(template: str, name: str):
    """The API on a copy of the template database (a file copy, or PostgreSQL's TEMPLATE)."""
    if template.startswith("sqlite"):
        source = Path(template.removeprefix("sqlite:///"))
        copy = source.with_name(f"{name}.db")
        shutil.copyfile(source, copy)
        url = f"sqlite:///{copy}"
    else:
        url = copy_postgres_database(template, f"govflow_contract_{name}")
    return create_app(Settings(database_url=url, prefect_api_url="http://127.0.0.1:9/api"))


@pytest.fixture(scope="module")
def fresh_app(template_database):
    app = app_on_a_copy(template_database, "single_calls")
    yield app
    app.state.runtime.db.dispose()


@schema.parametrize()
def test_every_operation_keeps_its_contract(case, fresh_app, login):
    case.call_and_validate(app=fresh_app, headers=login("admin"))  # the token names the account


def test_sequences_of_calls_keep_it_too(template_database, login):
    """Chains of calls along the links Schemathesis infers from the document (open a case, read
    it, claim its work item, …), so that use_after_free and ensure_resource_availability have
    something to judge. Each chain starts from the same fresh database: when chains shared one,
    what an earlier chain left (an open issue of a grid, a wish claimed) changed which calls a
    replayed chain could make next, and Hypothesis stopped with "inconsistent data
    generation"."""
    chains, token = itertools.count(), login("admin")  # the token names the account

    class AsAdministrator(schema.as_state_machine()):
        def setup(self):
            self.app = app_on_a_copy(template_database, f"chain_{next(chains)}")

        def teardown(self):
            self.app.state.runtime.db.dispose()

        def get_call_kwargs(self, case):
            return {"app": self.app, "headers": token}

    AsAdministrator.run(settings=settings(max_examples=25, stateful_step_count=8, deadline=None,
                                          derandomize=True, database=None))


def test_a_nul_character_anywhere_is_refused_naming_where_it_was(client, login):
    """PostgreSQL text cannot hold U+0000 (it answered 500); both databases now refuse it."""
    admin = login("admin")
    in_query = client.get("/api/v1/applications", params={"service": "S\x00"}, headers=admin)
    in_body = client.post("/api/v1/users", headers=admin, json={
        "username": "clerk-nul", "full_name": "新\x00窗口", "password": "a-long-password",
        "role": "clerk", "station": "st-02"})
    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in (in_query, in_body)] == [
        (422, "service"), (422, "full_name")]
