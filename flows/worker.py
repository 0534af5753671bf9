"""Registers govflow's deployments with the Prefect server, executes their runs in this process
(flows/engine/executor.py), and relays the outbox to Prefect.

`python -m flows.worker` (started by `govflow up`). Each process version is its own
deployment (`approval/v1`), so a published new version never changes cases in flight.
Entrypoints are module paths, so runs work from any working directory.
"""

import threading

from prefect import Flow, serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.engine.executor import Executor
from flows.engine.runtime import rt
from flows.housekeeping.audit_check import audit_chain_check
from flows.housekeeping.deadline_sweep import deadline_sweep
from flows.housekeeping.probe import probe
from flows.housekeeping.reconcile import reconcile
from flows.one_stop import approval_v1, approval_v2
from flows.project_approval.project_approval import project_approval
from flows.volunteering.monthly_plan import monthly_plan
from services.platform.orchestration import Prefect
from services.platform.settings import Settings
from services.volunteering.reference import settings as volunteering_settings
from services.work import outbox

TIMEZONE = "Asia/Shanghai"


def deployments() -> list[tuple[Flow, RunnerDeployment]]:
    """Each flow with the deployment its runs are created from."""
    def deploy(flow: Flow, **options) -> tuple[Flow, RunnerDeployment]:
        return flow, flow.to_deployment(entrypoint_type=EntrypointType.MODULE_PATH, **options)

    return [
        deploy(audit_chain_check, name="nightly",
               schedules=[Cron("0 2 * * *", timezone=TIMEZONE)], tags=["audit"],
               description="Recompute the audit trail's hash chain every night at 02:00."),
        deploy(deadline_sweep, name="every-10-minutes", interval=600, tags=["deadlines"],
               description="Warn before deadlines and escalate past them, each level once."),
        deploy(reconcile, name="every-2-minutes", interval=120, tags=["reconcile"],
               description="Re-drive cases whose flow run is missing, ended or stuck."),
        deploy(probe, name="ping", tags=["probe"],
               description="Does nothing: shows that the worker executes runs."),
        deploy(approval_v1.approval, name="v1", version="1", tags=["one-stop"],
               description="Department approval with return for correction."),
        deploy(approval_v2.approval, name="v2", version="2", tags=["one-stop"],
               description="As v1, with the station confirming delivery of an approval."),
        deploy(project_approval, name="v1", version="1", tags=["one-stop", "projects"],
               description="Parallel approval of a construction project (HC-14b)."),
        deploy(monthly_plan, name="monthly", schedules=[Cron(
            f"0 9 {volunteering_settings().rules.plan_day_of_month} * *", timezone=TIMEZONE)],
               tags=["volunteering"],
               description="Plan next month's volunteer activities (双报到, QL-11a/b)."),
    ]


def main() -> None:
    stop = threading.Event()
    prefect = Prefect(rt().settings.prefect_api_url)
    relay = threading.Thread(target=outbox.relay, args=(rt().db, prefect, stop),
                             name="outbox-relay", daemon=True)
    relay.start()
    try:
        execute(rt().settings, stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()


def execute(settings: Settings, stop: threading.Event) -> None:
    if settings.worker_executor == "served":  # a subprocess per run: the benchmarks' baseline
        serve(*(d for _, d in deployments()), limit=settings.worker_runs,
              print_starting_message=False)
        return
    Executor(deployments(), limit=settings.worker_runs,
             poll_seconds=settings.worker_poll_seconds).serve(stop)


if __name__ == "__main__":
    main()
