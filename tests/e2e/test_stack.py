"""`govflow up` on a fresh directory: real Prefect server, worker and API over real HTTP."""

import signal

import httpx
import pytest

from tests.e2e.conftest import (
    PASSWORD,
    get_ok,
    refuses_connections,
    run_deployment,
    stack_db,
    wait_for,
)

pytestmark = pytest.mark.e2e


def test_the_stack_answers_ready_with_the_catalogue_loaded(stack):
    ready = httpx.get(f"{stack['api']}/readyz").json()
    assert ready["ready"] is True
    services = httpx.get(f"{stack['api']}/api/v1/catalogue/services",
                         params={"delegated": "true", "limit": 200}).json()
    assert services["total"] == 91


def test_demo_accounts_log_in_with_the_configured_password(stack):
    token = httpx.post(f"{stack['api']}/api/v1/auth/token",
                       data={"username": "clerk-st-43", "password": PASSWORD})
    assert token.status_code == 200
    # admin and auditor, 43 station clerks, 49 department officers, the district's, 4 streets'
    # and 16 communities' secretaries
    accounts = 2 + 43 + 49 + 1 + 4 + 16
    assert f"{accounts} demo accounts" in (stack["workdir"] / "up.log").read_text()


def test_the_worker_registers_and_runs_the_audit_check(stack):
    prefect = stack["prefect"]
    deployment = wait_for(
        lambda: get_ok(f"{prefect}/deployments/name/audit-chain-check/nightly"),
        "the deployment to be registered", timeout=60).json()
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 2 * * *"
    state = run_deployment(prefect, "audit-chain-check/nightly")
    assert state["type"] == "COMPLETED", state


def test_the_worker_records_each_process_dashboard_figures_of_the_day(stack):
    from services.platform import figures

    state = run_deployment(stack["prefect"], "dashboard-figures/nightly",
                           {"as_of": "2026-03-02"})
    assert state["type"] == "COMPLETED", state
    recorded = {(s.process, s.code): s.points for s in figures.series(stack_db(stack))}
    assert recorded[("one_stop", "received")][-1][0].isoformat() == "2026-03-02"
    assert ("grid", "response_rate") in recorded
    assert recorded[("assessment", "centres_unused")][-1][1] > 0  # no centre was used that month


def test_ctrl_c_stops_everything_it_started(stack):
    up = stack["process"]
    up.send_signal(signal.SIGINT)
    assert up.wait(timeout=60) == 0
    api_port, prefect_port = stack["ports"]
    assert wait_for(lambda: refuses_connections(api_port) and refuses_connections(prefect_port),
                    "the ports to close", timeout=30)
