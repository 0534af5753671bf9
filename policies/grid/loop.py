"""The grid loop's rules (QL-07, LK-06, HC-03): report → resolve → supervise → feedback →
evaluate. Supervision and feedback come before closing, always; a dissatisfied raiser reopens
the issue once for its handler, then the community secretary takes it over.

After the community secretary's own round the raiser's evaluation is recorded and the issue
closes whatever it says: the article stops at the secretary, and so does the project.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Stage(StrEnum):
    HANDLING = "handling"  # 解决: the handler works on it
    SUPERVISING = "supervising"  # 督查: a supervisor verifies the result
    FEEDBACK = "feedback"  # 反馈: the raiser is to be told the outcome
    EVALUATION = "evaluation"  # 评价: the raiser evaluates
    CLOSED = "closed"


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically-satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


RATING_ZH = {Rating.SATISFIED: "满意", Rating.BASICALLY_SATISFIED: "基本满意",
             Rating.DISSATISFIED: "不满意"}
STAGE_ZH = {Stage.HANDLING: "办理中", Stage.SUPERVISING: "督查中", Stage.FEEDBACK: "待反馈",
            Stage.EVALUATION: "待评价", Stage.CLOSED: "已办结"}


CLOSED_WITHOUT_EVALUATION = "closed-without-evaluation"  # the raiser gave none (办结, QL-07)


class LoopState(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: Stage
    supervised: bool = False  # the last result passed supervision
    fed_back: bool = False  # the raiser was told the outcome
    reopened: int = 0  # times a dissatisfied evaluation reopened it
    with_secretary: bool = False  # the community secretary handles it now


def refusal(action: str, state: LoopState) -> str | None:
    """Why `action` cannot happen now (None when it can)."""
    expected = {"resolve": Stage.HANDLING, "supervise": Stage.SUPERVISING,
                "feedback": Stage.FEEDBACK, "evaluate": Stage.EVALUATION}
    if action == "close":
        return close_refusal(state)
    if state.stage is not expected[action]:
        return f"the issue is {STAGE_ZH[state.stage]}（{state.stage.value}）; cannot {action}"
    return None


def close_refusal(state: LoopState) -> str | None:
    """An issue cannot close without supervision and feedback (QL-07, HC-03)."""
    if state.stage is Stage.CLOSED:
        return "the issue is already closed"
    if not state.supervised:
        return "未经督查不能办结: the result has not passed supervision"
    if not state.fed_back:
        return "未向反映人反馈不能办结: the raiser has not been told the outcome"
    return None


def supervisor_refusal(supervisor: str, handlers: set[str]) -> str | None:
    """督查 is by someone who did not handle it."""
    if supervisor in handlers:
        return f"{supervisor} handled this issue and cannot supervise it"
    return None


def after_supervision(state: LoopState, passed: bool) -> LoopState:
    if passed:
        return state.model_copy(update={"stage": Stage.FEEDBACK, "supervised": True})
    return state.model_copy(update={"stage": Stage.HANDLING, "supervised": False})


def after_feedback(state: LoopState) -> LoopState:
    return state.model_copy(update={"stage": Stage.EVALUATION, "fed_back": True})


def after_evaluation(state: LoopState, rating: Rating) -> LoopState:
    """Satisfied or basically satisfied closes; dissatisfied reopens once for the handler,
    then hands the issue to the community secretary; after the secretary it closes."""
    if rating is not Rating.DISSATISFIED or state.with_secretary:
        return state.model_copy(update={"stage": Stage.CLOSED})
    reset = {"stage": Stage.HANDLING, "supervised": False, "fed_back": False,
             "reopened": state.reopened + 1}
    if state.reopened >= 1:
        reset["with_secretary"] = True
    return state.model_copy(update=reset)


def after_evaluation_step(state: LoopState, record: str, rating: str | None) -> LoopState:
    """What the evaluation step's record means: the raiser's rating, or a close without one
    (allowed only after supervision and feedback: close_refusal)."""
    if record == CLOSED_WITHOUT_EVALUATION:
        return state.model_copy(update={"stage": Stage.CLOSED})
    return after_evaluation(state, Rating(rating))
