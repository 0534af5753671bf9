"""The stack split into roles, each as it would run on a machine of its own: Prefect's API
without its services, Prefect's background services, two govflow workers and the govflow API,
five `govflow up --role …` processes sharing PostgreSQL (Prefect's database) and Redis (Prefect's
events and leases). A case goes from the counter to the department's decision through them, and
runs that both workers could take are each run once."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import create_postgres_database
from tests.e2e.conftest import (
    case_when_finished,
    free_port,
    get_ok,
    next_open_item,
    prefect_call,
    stop_when_the_tests_die,
    wait_for,
)

pytestmark = pytest.mark.e2e
GOVFLOW = str(Path(sys.executable).parent / "govflow")
PASSWORD = "roles-password-1"
REDIS_DB = 9  # a database of Redis's own for this test, emptied first
ROLES = ("prefect-api", "prefect-services", "worker", "worker", "api")  # two workers


def redis_answers() -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", 6379)) == 0


def test_a_prefect_role_refuses_sqlite_and_says_what_it_needs(tmp_path):
    env = os.environ | {"GOVFLOW_PREFECT_DATABASE_URL": "", "GOVFLOW_REDIS_URL": ""}
    refused = subprocess.run([GOVFLOW, "up", "--role", "prefect-api"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "needs PostgreSQL for Prefect's database" in " ".join(refused.stdout.split())


@pytest.fixture(scope="module")
def roles(tmp_path_factory):
    prefect_base = os.environ.get("GOVFLOW_TEST_PREFECT_DATABASE_URL")
    business_base = os.environ.get("GOVFLOW_TEST_DATABASE_URL")
    if not (prefect_base and business_base and redis_answers()):
        pytest.skip("the roles share PostgreSQL and Redis (make test-postgres, Redis running)")
    workdir = tmp_path_factory.mktemp("roles")
    name = create_postgres_database(business_base, "govflow_roles_prefect").rsplit("/", 1)[1]
    api_port, prefect_port = free_port(), free_port()
    env = os.environ | {
        "GOVFLOW_DATABASE_URL": f"sqlite:///{workdir / 'govflow.db'}",  # API and worker share
        "GOVFLOW_PREFECT_DATABASE_URL": make_url(prefect_base).set(database=name)
        .render_as_string(hide_password=False),
        "GOVFLOW_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "GOVFLOW_PORT": str(api_port), "GOVFLOW_PREFECT_PORT": str(prefect_port),
        "GOVFLOW_PREFECT_API_URL": f"http://127.0.0.1:{prefect_port}/api",
        "GOVFLOW_TODAY": "2026-02-12"}
    empty_redis_db()
    prepare_once(workdir, env)
    processes = [start(role, workdir, env, n) for n, role in enumerate(ROLES)]
    api = f"http://127.0.0.1:{api_port}"
    try:
        wait_for(lambda: any(p.poll() is not None for p in processes) or get_ok(f"{api}/readyz"),
                 "the API of the split stack")
        assert all(p.poll() is None for p in processes), logs(workdir)
        yield {"api": api, "workdir": workdir, "prefect": env["GOVFLOW_PREFECT_API_URL"]}
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)


def empty_redis_db() -> None:
    import redis

    redis.Redis(db=REDIS_DB).flushdb()


def prepare_once(workdir: Path, env: dict) -> None:
    """What an operator does once before starting the roles."""
    for args in (["migrate", "--prefect"], ["load-reference"],
                 ["users", "create", "clerk-st-05", "clerk", "--name", "窗口人员",
                  "--station", "st-05", "--password", PASSWORD],
                 ["users", "create", "officer-civil-affairs", "officer", "--name", "民政审批员",
                  "--department", "civil-affairs", "--password", PASSWORD]):
        done = subprocess.run([GOVFLOW, *args], cwd=workdir, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr


def start(role: str, workdir: Path, env: dict, n: int) -> subprocess.Popen:
    log = open(workdir / f"up-{n}-{role}.log", "wb")  # noqa: SIM115 - lives with the process
    return subprocess.Popen([GOVFLOW, "up", "--role", role], cwd=workdir, env=env, stdout=log,
                            stderr=subprocess.STDOUT, preexec_fn=stop_when_the_tests_die)


def logs(workdir: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-2000:] for p in workdir.glob("up-*.log"))


def test_a_case_goes_from_the_counter_to_the_decision_through_the_split_stack(roles):
    import redis

    with httpx.Client(base_url=roles["api"], timeout=30) as http:
        clerk, officer = (login(http, "clerk-st-05"), login(http, "officer-civil-affairs"))
        service = http.get("/api/v1/catalogue/services", params={
            "department": "civil-affairs", "on_the_spot": "false"}).json()["items"][0]
        case = http.post("/api/v1/cases", headers=clerk, json={
            "service": service["code"], "station": "st-05", "subject": "王某某 申请"}).json()

        review = next_open_item(http, officer, "department:civil-affairs", case["id"])
        decided = http.post(f"/api/v1/work-items/{review['id']}/decision", headers=officer,
                            json={"outcome": "approve"})
        assert decided.status_code == 200, decided.text
        assert case_when_finished(http, clerk, case["id"])["status"] == "approved"
    assert redis.Redis(db=REDIS_DB).keys("*"), "Prefect's processes exchanged nothing via Redis"


def login(http: httpx.Client, username: str) -> dict[str, str]:
    token = http.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_runs_both_workers_could_take_are_each_run_once(roles):
    """Twelve runs of one deployment at once (as a schedule's period or a burst of cases would
    bring): both workers poll for them, and each is run by one worker, once."""
    prefect = roles["prefect"]
    deployment = wait_for(lambda: get_ok(f"{prefect}/deployments/name/probe/ping"),
                          "probe/ping to be registered", timeout=60).json()
    created = [prefect_call("POST", f"{prefect}/deployments/{deployment['id']}/create_flow_run",
                            json={}).json()["id"] for _ in range(12)]

    def finished() -> list[dict] | None:
        runs = [prefect_call("GET", f"{prefect}/flow_runs/{run}").json() for run in created]
        return runs if all(r["state"]["type"] == "COMPLETED" for r in runs) else None

    runs = wait_for(finished, "the twelve runs to complete", timeout=120)
    assert [r["run_count"] for r in runs] == [1] * 12
