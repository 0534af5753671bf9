"""Registers govflow's deployments with the Prefect server and executes their runs.

`python -m flows.worker` (started by `govflow up`). Each process module adds its
deployment to DEPLOYMENTS.
"""

from prefect import serve
from prefect.schedules import Cron

from flows.audit_check import audit_chain_check

TIMEZONE = "Asia/Shanghai"


def deployments():
    return [
        audit_chain_check.to_deployment(
            name="nightly", schedules=[Cron("0 2 * * *", timezone=TIMEZONE)],
            description="Recompute the audit trail's hash chain every night at 02:00.",
            tags=["audit"]),
    ]


def main() -> None:
    serve(*deployments(), limit=4, print_starting_message=False)


if __name__ == "__main__":
    main()
