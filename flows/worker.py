"""Registers govflow's deployments with the Prefect server, executes their runs, and relays
the outbox to Prefect.

`python -m flows.worker` (started by `govflow up`). Each process version is its own
deployment (`approval/v1`), so a published new version never changes cases in flight.
Entrypoints are module paths, so runs work from any working directory.
"""

import threading

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from flows import approval_v1, approval_v2
from flows.audit_check import audit_chain_check
from flows.deadline_sweep import deadline_sweep
from flows.project_approval import project_approval
from flows.runtime import rt
from services import outbox
from services.orchestration import Prefect

TIMEZONE = "Asia/Shanghai"


def deployments():
    return [
        audit_chain_check.to_deployment(
            name="nightly", schedules=[Cron("0 2 * * *", timezone=TIMEZONE)],
            description="Recompute the audit trail's hash chain every night at 02:00.",
            tags=["audit"], entrypoint_type=EntrypointType.MODULE_PATH),
        deadline_sweep.to_deployment(
            name="every-10-minutes", interval=600, tags=["deadlines"],
            description="Warn before deadlines and escalate past them, each level once.",
            entrypoint_type=EntrypointType.MODULE_PATH),
        approval_v1.approval.to_deployment(
            name="v1", version="1", tags=["one-stop"],
            description="Department approval with return for correction.",
            entrypoint_type=EntrypointType.MODULE_PATH),
        approval_v2.approval.to_deployment(
            name="v2", version="2", tags=["one-stop"],
            description="As v1, with the station confirming delivery of an approval.",
            entrypoint_type=EntrypointType.MODULE_PATH),
        project_approval.to_deployment(
            name="v1", version="1", tags=["one-stop", "projects"],
            description="Parallel approval of a construction project (HC-14b).",
            entrypoint_type=EntrypointType.MODULE_PATH),
    ]


def main() -> None:
    stop = threading.Event()
    prefect = Prefect(rt().settings.prefect_api_url)
    relay = threading.Thread(target=outbox.relay, args=(rt().db, prefect, stop),
                             name="outbox-relay", daemon=True)
    relay.start()
    try:
        serve(*deployments(), limit=8, print_starting_message=False)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
