"""Re-drive cases whose flow run is missing, ended or stuck (services/reconcile.py).

Scheduled every 2 minutes; any worker can run it, so a worker that died is covered by one
still alive. The finding and the re-drive are separate tasks so the run's page in the
Prefect UI shows what was found even when nothing had to be done.
"""

from prefect import flow, get_run_logger, task

from flows.engine.runtime import rt
from services.platform.orchestration import Prefect
from services.work import reconcile as reconciler
from services.work.cases import process_actor


@task
def find_adrift() -> list[reconciler.Finding]:
    with Prefect(rt().settings.prefect_api_url) as prefect:
        return reconciler.find(rt().db, prefect, rt().settings.reconcile_stuck_after)


@task
def redrive(findings: list[reconciler.Finding]) -> list[int]:
    return reconciler.redrive(rt().db, process_actor("reconcile"), findings)


@flow(name="reconcile")
async def reconcile() -> list[int]:
    findings = find_adrift()
    for finding in findings:
        get_run_logger().warning("case %s: %s", finding.case_id, finding.problem)
    return redrive(findings) if findings else []
