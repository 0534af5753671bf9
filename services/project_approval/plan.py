"""The approvals a construction project needs and their rounds, read from
policies/project_approval/data (a designer changes the plan there, not in the flow)."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from policies.project_approval.projects import ApprovalPlan
from services.platform.reference_data import read_entry

PLAN_FILE = files("policies.project_approval") / "data" / "project_approvals.yaml"


def read_project_plan(path: Path | None = None) -> ApprovalPlan:
    return read_entry(ApprovalPlan, path or PLAN_FILE, "plan")


@cache
def project_plan() -> ApprovalPlan:
    """The plan, read once per process (the API and the worker read it at start-up, so broken
    data stops them at once)."""
    return read_project_plan()
