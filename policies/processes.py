"""The processes govflow runs, their versions, and the human steps of each version.

A case keeps the version it started with. A new version is a new flow module and deployment
(`approval/v2`); publishing it (`govflow processes publish`) makes new cases start on it and
changes no case in flight. The steps listed here are what a migration reports as changing.
"""

from pydantic import BaseModel, ConfigDict


class ProcessVersion(BaseModel):
    model_config = ConfigDict(frozen=True)

    process: str
    version: int
    steps: tuple[str, ...]
    summary_zh: str
    # Where the steps are recorded when the process keeps records of its own beside the work
    # item (an issue's stage, rounds, evaluation): a decision through the generic work-item
    # endpoint would resume the run and skip those records, so it is refused there.
    recorded_through: str | None = None


VERSIONS: dict[tuple[str, int], ProcessVersion] = {
    (v.process, v.version): v for v in [
        ProcessVersion(process="approval", version=1,
                       steps=("department-review", "correction"),
                       summary_zh="部门审批；退回补正后重新审批"),
        ProcessVersion(process="project-approval", version=1, steps=("approval",),
                       summary_zh="并联审批：各部门同时审批，前置审批全部通过后核发施工许可"),
        ProcessVersion(process="grid-loop", version=1,
                       steps=("resolve", "supervise", "feedback", "evaluation"),
                       summary_zh="网格闭环：解决、督查（不合格退回）、反馈、评价；"
                                  "不满意重新办理一次，再不满意交社区书记",
                       recorded_through="/api/v1/issues/{case_id}/…"),
        ProcessVersion(process="approval", version=2,
                       steps=("department-review", "correction", "delivery"),
                       summary_zh="部门审批；退回补正后重新审批；批准后由服务站确认证照送达"),
    ]
}
FIRST_VERSION = 1  # what a process starts on until another version is published


def deployment_of(process: str, version: int) -> str:
    """The Prefect deployment, as `flow-name/deployment-name`, that runs this version."""
    return f"{process}/v{version}"


def recorded_through(process: str, version: int) -> str | None:
    """The route that records this process version's steps, if not the generic decision."""
    found = VERSIONS.get((process, version))
    return found.recorded_through if found else None


def step_changes(process: str, old: int, new: int) -> tuple[list[str], list[str]]:
    """Steps a case gains and loses when moved from version `old` to `new`."""
    before, after = VERSIONS[(process, old)].steps, VERSIONS[(process, new)].steps
    return [s for s in after if s not in before], [s for s in before if s not in after]
