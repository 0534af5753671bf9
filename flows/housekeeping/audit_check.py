"""Nightly audit-chain check: recompute the hash chain of the audit trail.

A broken chain fails the run, so the Prefect UI and its notifications show auditors at once
which event was altered, inserted or removed.
"""

from prefect import flow, get_run_logger, task

from flows.engine.runtime import rt
from services.platform import audit_trail


class AuditChainBroken(Exception):
    pass


@task(retries=2, retry_delay_seconds=10)
def verify_audit_chain() -> dict:
    report = audit_trail.verify_chain(rt().db)
    return {"checked": report.checked, "first_broken_seq": report.first_broken_seq,
            "reason": report.reason}


@flow(name="audit-chain-check")
async def audit_chain_check() -> dict:
    report = verify_audit_chain()
    if report["first_broken_seq"] is not None:
        raise AuditChainBroken(
            f"audit event {report['first_broken_seq']}: {report['reason']} "
            f"({report['checked']} events before it are intact)")
    get_run_logger().info("audit chain intact: %s events", report["checked"])
    return report
