"""Scheduled flows that keep the system honest: the deadline sweep, the nightly audit-chain
check, the reconciler, and the probe that shows a worker executes runs."""
