"""Parallel project approval: time from the last decision (the construction permit) to the
permit being downloadable, p50/p95 over N projects, on the embedded stack.

Baseline, measured in the same run on the same server and worker: a run of the empty
`probe/ping` deployment from creation to Completed (the worker's poll, the claim and the
engine's start, which the permit's resumed run pays too).

    python -m bench.project_approval [N]      (make bench)
"""

import json
import statistics
import sys
import time
from pathlib import Path

import httpx

from bench.stack import embedded_stack, login, wait_for
from services.platform.orchestration import Prefect

CREDIT_CODE = "91350100M000100Y43"
RESULTS = Path(__file__).parent / "results" / "project_approval.json"


def main(projects: int = 20) -> dict:
    with embedded_stack({"GOVFLOW_TODAY": "2026-06-01"}) as (api, prefect_api):
        prefect = Prefect(prefect_api)
        wait_for(lambda: prefect.has_deployment("probe/ping"), "deployments")
        with httpx.Client(base_url=api, timeout=30) as http:
            baseline = [empty_run(prefect) for _ in range(projects)]
            latencies = [last_decision_to_permit(http) for _ in range(projects)]
    result = {
        "projects": projects,
        "permit_after_last_decision_s": summary(latencies),
        "baseline_empty_run_s": summary(baseline),
        "ratio_p50": round(statistics.median(latencies) / statistics.median(baseline), 2),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    return result


def last_decision_to_permit(http: httpx.Client) -> float:
    clerk = login(http, "clerk-st-01")
    filed = http.post("/api/v1/projects", headers=clerk, json={
        "enterprise": "厦门某半导体有限公司", "credit_code": CREDIT_CODE, "project": "新厂房",
        "land_contract_no": "XM2026-0001", "station": "st-01"}).json()
    for approval in open_approvals(http, clerk, filed["id"], round_=1):
        decide(http, approval)
    [permit] = open_approvals(http, clerk, filed["id"], round_=2)
    started = time.perf_counter()
    decide(http, permit)
    wait_for(lambda: http.get(f"/api/v1/projects/{filed['id']}/permit",
                              headers=clerk).status_code == 200, "the permit", timeout=120)
    return time.perf_counter() - started


def open_approvals(http, headers, project_id: int, round_: int) -> list[dict]:
    def opened():
        approvals = http.get(f"/api/v1/projects/{project_id}", headers=headers).json()[
            "approvals"]
        wanted = approvals[:-1] if round_ == 1 else approvals[-1:]
        return wanted if all(a["status"] == "open" for a in wanted) else None

    return wait_for(opened, f"round {round_} to open", timeout=120)


def decide(http, approval: dict) -> None:
    officer = login(http, f"officer-{approval['department']}")
    response = http.post(f"/api/v1/work-items/{approval['work_item_id']}/decision",
                         headers=officer, json={"outcome": "approve"})
    response.raise_for_status()


def empty_run(prefect: Prefect) -> float:
    started = time.perf_counter()
    run_id = prefect.start("probe/ping", {}, f"bench-{time.time_ns()}")
    wait_for(lambda: prefect.state(run_id) == "COMPLETED", "the empty run", timeout=120)
    return time.perf_counter() - started


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 3),
            "p95": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
            "max": round(ordered[-1], 3)}


def print_table(r: dict) -> None:
    permit, base = r["permit_after_last_decision_s"], r["baseline_empty_run_s"]
    print(f"\nparallel project approval, {r['projects']} projects, embedded stack (SQLite)")
    print(f"{'measure':<44}{'p50 s':>8}{'p95 s':>8}{'max s':>8}")
    print(f"{'last decision → permit downloadable':<44}{permit['p50']:>8}{permit['p95']:>8}"
          f"{permit['max']:>8}")
    print(f"{'baseline: empty run, create → done':<44}{base['p50']:>8}{base['p95']:>8}"
          f"{base['max']:>8}")
    print(f"ratio (p50): {r['ratio_p50']}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
