# Two commands do all set-up on a fresh clone (Python 3.11 and make only):
#   make run   - the whole embedded stack (API, Prefect server, worker); Ctrl-C stops it
#   make test  - the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-long test-postgres test-sqlite test-topology bench lint lock clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/govflow up

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL 15 (CI runs this too; see .ci/run).
test-postgres: $(STAMP)
	GOVFLOW_TEST_DATABASE_URL=$${GOVFLOW_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/govflow_test} \
		$(BIN)/pytest $(PYTEST_ARGS)

# The long variants of the fault suite (500 submissions through an API kill, …).
test-long: $(STAMP)
	$(BIN)/pytest -m long $(PYTEST_ARGS)

# The multi-machine topology on this machine (tests/e2e/test_topology.py, docs/deploy.md):
# replicas of every role behind HAProxy on PostgreSQL and Redis, one of each kind killed.
test-topology: $(STAMP)
	GOVFLOW_TEST_DATABASE_URL=$${GOVFLOW_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/govflow_test} \
	GOVFLOW_TEST_PREFECT_DATABASE_URL=$${GOVFLOW_TEST_PREFECT_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/govflow_prefect_test} \
		$(BIN)/pytest -m long -s tests/e2e/test_topology.py $(PYTEST_ARGS)

# What CI runs on SQLite after the whole suite on PostgreSQL: the tests where the database's
# kind shows (integration: migrations, published views, locks and retries, the outbox's
# claims; the API over them), then the embedded default's own end-to-end tests (the stack, its
# faults with their long variant). Unit tests and the policy features go through the same
# services on either database and have run on PostgreSQL; the processes' end-to-end tests ask
# nothing of the database that the PostgreSQL pass has not asked, and each costs a stack's start.
# The API kill runs here with 500 submissions only: the 100 of the PostgreSQL pass add nothing.
DIALECT_TESTS := tests/integration tests/api
EMBEDDED_E2E := tests/e2e/test_stack.py tests/e2e/test_faults.py \
	--deselect "tests/e2e/test_faults.py::test_killing_the_api_mid_submissions_loses_and_doubles_nothing[100]"
test-sqlite: $(STAMP)
	GOVFLOW_TEST_DATABASE_URL= GOVFLOW_TEST_PREFECT_DATABASE_URL= $(BIN)/pytest -m "not e2e" $(DIALECT_TESTS) $(PYTEST_ARGS)
	GOVFLOW_TEST_DATABASE_URL= GOVFLOW_TEST_PREFECT_DATABASE_URL= $(BIN)/pytest -m "e2e or long" $(EMBEDDED_E2E) $(PYTEST_ARGS)

# Benchmarks print their figures against a baseline measured in the same run.
bench: $(STAMP)
	$(BIN)/python -m bench.intake 1000
	$(BIN)/python -m bench.orchestration --seconds 120
	$(BIN)/python -m bench.steps --cases 5 --steps 12
	$(BIN)/python -m bench.capacity --seconds 120
	$(BIN)/python -m bench.project_approval 20
	$(BIN)/python -m bench.idle --runs 10000 --seconds 60
	$(BIN)/python -m bench.meetings 10000
	$(BIN)/python -m bench.volunteering
	$(BIN)/python -m bench.grid 400
	$(BIN)/python -m bench.latest

lint: $(STAMP)
	$(BIN)/ruff check api services policies flows tests
	$(BIN)/lint-imports

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/govflow-lock && $(PYTHON) -m venv /tmp/govflow-lock
	/tmp/govflow-lock/bin/pip install --quiet ".[test]"
	/tmp/govflow-lock/bin/pip freeze --exclude govflow > constraints.txt

clean:
	rm -rf $(VENV) var .pytest_cache
