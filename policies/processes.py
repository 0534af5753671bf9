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
                                  "不满意重新办理一次，再不满意交社区书记"),
        ProcessVersion(process="approval", version=2,
                       steps=("department-review", "correction", "delivery"),
                       summary_zh="部门审批；退回补正后重新审批；批准后由服务站确认证照送达"),
    ]
}
FIRST_VERSION = 1  # what a process starts on until another version is published


def deployment_of(process: str, version: int) -> str:
    """The Prefect deployment, as `flow-name/deployment-name`, that runs this version."""
    return f"{process}/v{version}"


def step_changes(process: str, old: int, new: int) -> tuple[list[str], list[str]]:
    """Steps a case gains and loses when moved from version `old` to `new`."""
    before, after = VERSIONS[(process, old)].steps, VERSIONS[(process, new)].steps
    return [s for s in after if s not in before], [s for s in before if s not in after]
