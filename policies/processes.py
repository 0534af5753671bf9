"""The processes govflow runs and the version new cases start on.

A case keeps the version it started with: publishing a new version changes this table, never
the cases already in flight (each version is its own flow and deployment).
"""

CURRENT_VERSION: dict[str, int] = {
    "approval": 1,
}


def deployment_of(process: str, version: int) -> str:
    """The Prefect deployment, as `flow-name/deployment-name`, that runs this version."""
    return f"{process}/v{version}"
