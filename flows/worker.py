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

from flows.assessment.yearly import yearly_assessment
from flows.engine.executor import Executor
from flows.engine.runtime import rt
from flows.grid.grid_loop import grid_loop
from flows.housekeeping.audit_check import audit_chain_check
from flows.housekeeping.dashboard_figures import dashboard_figures
from flows.housekeeping.deadline_sweep import deadline_sweep
from flows.housekeeping.probe import probe
from flows.housekeeping.reconcile import reconcile
from flows.meetings.compliance import meeting_compliance
from flows.meetings.joint_meeting import joint_meeting
from flows.one_stop import approval_v1, approval_v2
from flows.project_approval.project_approval import project_approval
from flows.red_forum.red_forum import red_forum
from flows.volunteering.monthly_plan import monthly_plan
from flows.whistle.whistle_sweep import whistle_sweep
from flows.wishes.urge import urge_unclaimed_wishes
from policies.meetings.cadence import cron_of
from services.assessment import figures as assessment_figures
from services.assessment.assessments import assessment_rules
from services.grid import figures as grid_figures
from services.meetings.bodies import bodies, rules
from services.one_stop import figures as one_stop_figures
from services.platform import logs
from services.platform.orchestration import Prefect
from services.platform.settings import Settings
from services.project_approval.plan import project_plan
from services.red_forum.forums import forum_rules
from services.volunteering.reference import settings as volunteering_settings
from services.work import outbox

TIMEZONE = "Asia/Shanghai"
# Each process's dashboard figures, recorded nightly for the handbook's charts over time.
FIGURE_SOURCES = [one_stop_figures.__name__, grid_figures.__name__,
                  assessment_figures.__name__]


def deployments() -> list[tuple[Flow, RunnerDeployment]]:
    """Each flow with the deployment its runs are created from."""
    def deploy(flow: Flow, **options) -> tuple[Flow, RunnerDeployment]:
        return flow, flow.to_deployment(entrypoint_type=EntrypointType.MODULE_PATH, **options)

    return [
        deploy(audit_chain_check, name="nightly",
               schedules=[Cron("0 2 * * *", timezone=TIMEZONE)], tags=["audit"],
               description="Recompute the audit trail's hash chain every night at 02:00."),
        deploy(dashboard_figures, name="nightly", parameters={"sources": FIGURE_SOURCES},
               schedules=[Cron("50 23 * * *", timezone=TIMEZONE)], tags=["figures"],
               description="Record each process's dashboard figures of the day (handbook)."),
        deploy(deadline_sweep, name="every-10-minutes", interval=600, tags=["deadlines"],
               description="Warn before deadlines and escalate past them, each level once."),
        deploy(whistle_sweep, name="every-minute", interval=60, tags=["whistle"],
               description="Climb a whistle one level when summoned departments are late."),
        deploy(urge_unclaimed_wishes, name="daily", tags=["wishes"],
               schedules=[Cron("0 8 * * *", timezone=TIMEZONE)],
               description="Urge micro-wishes still unclaimed after the data's days (HC-08)."),
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
        deploy(grid_loop, name="v1", version="1", tags=["grid"],
               description="One reported issue: resolve, supervise, feed back, evaluate "
                           "(QL-07, LK-06, HC-03)."),
        deploy(meeting_compliance, name="daily", tags=["meetings"],
               schedules=[Cron("30 0 * * *", timezone=TIMEZONE)],
               description="A period ended without the body's meeting is a finding (QL-10a)."),
        *meeting_deployments(deploy),
        deploy(red_forum, name="quarterly", tags=["red-forum"], schedules=[Cron(
                   f"0 9 {forum_rules().cadence.day_of_period} 1,4,7,10 *", timezone=TIMEZONE)],
               description="The community secretaries' red forum on last quarter's hard "
                           "cases (LK-13a)."),
        deploy(monthly_plan, name="monthly", schedules=[Cron(
            f"0 9 {volunteering_settings().rules.plan_day_of_month} * *", timezone=TIMEZONE)],
               tags=["volunteering"],
               description="Plan next month's volunteer activities (双报到, QL-11a/b)."),
        deploy(yearly_assessment, name="yearly", tags=["assessment"], schedules=[Cron(
            f"0 9 {assessment_rules().schedule.day} {assessment_rules().schedule.month} *",
            timezone=TIMEZONE)],
               description="The happy-community ranking of the year before and its award "
                           "candidates, confirmed by the district (LK-02)."),
    ]


def meeting_deployments(deploy) -> list[tuple[Flow, RunnerDeployment]]:
    """One deployment per body, scheduled on its level's cadence (QL-10a, rules.yaml): each
    scheduled run is one meeting."""
    return [deploy(joint_meeting, name=body.code, parameters={"body": body.code},
                   schedules=[Cron(cron_of(rules().cadence(body.level)), timezone=TIMEZONE)],
                   tags=["meetings", body.level],
                   description=f"{body.name_zh}: convened on its cadence (QL-10a).")
            for body in bodies().values()]


def main() -> None:
    logs.configure_own()
    if rt().settings.log_prefect_calls:  # httpx logs each request it makes at INFO
        logs.configure_own(name="httpx")
    project_plan()  # read at start-up: broken plan data stops the worker at once
    settings, stop = rt().settings, threading.Event()
    executor = Executor(deployments(), limit=settings.worker_runs,
                        poll_seconds=settings.worker_poll_seconds)
    # The relay tells the executor when it has started or resumed runs: they are due now.
    relay = threading.Thread(target=outbox.relay, name="outbox-relay", daemon=True,
                             args=(rt().db, Prefect(settings.prefect_api_url), stop),
                             kwargs={"on_delivery": executor.wake,
                                     "name": outbox.relay_name(settings.node_name)})
    relay.start()
    try:
        execute(executor, settings, stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()


def execute(executor: Executor, settings: Settings, stop: threading.Event) -> None:
    if settings.worker_executor == "served":  # a subprocess per run: the benchmarks' baseline
        serve(*(d for _, d in deployments()), limit=settings.worker_runs,
              print_starting_message=False)
        return
    executor.serve(stop)


if __name__ == "__main__":
    main()
