"""Registers govflow's deployments with the Prefect server and executes their runs.

`python -m flows.worker` (started by `govflow up`). Each process module adds its deployment
to `deployments()`. Entrypoints are module paths, so runs work from any working directory.
"""

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from flows.audit_check import audit_chain_check

TIMEZONE = "Asia/Shanghai"


def deployments():
    return [
        audit_chain_check.to_deployment(
            name="nightly", schedules=[Cron("0 2 * * *", timezone=TIMEZONE)],
            description="Recompute the audit trail's hash chain every night at 02:00.",
            tags=["audit"], entrypoint_type=EntrypointType.MODULE_PATH),
    ]


def main() -> None:
    serve(*deployments(), limit=4, print_starting_message=False)


if __name__ == "__main__":
    main()
