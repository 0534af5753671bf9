"""The red forum's rules (LK-13a/b): which hard cases become proposed topics and in what
order, and who is eligible to be selected secretary assistant (书记助理)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.calendar import WorkingCalendar


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForumCadence(_Entry):
    every: Literal["quarter"]
    day_of_period: int = Field(ge=1, le=28)
    clause: str


class Score(_Entry):
    per_escalation_level: int = Field(ge=0)
    per_working_day_overdue: int = Field(ge=0)
    overdue_days_cap: int = Field(ge=0)
    overdue_resolution: int = Field(ge=0)
    rectification: int = Field(ge=0)


class Eligibility(_Entry):
    forums_attended: int = Field(ge=0)
    trainings: int = Field(ge=0)


class ForumRules(_Entry):
    cadence: ForumCadence
    organiser_units: list[str] = Field(min_length=1)
    participants_level: Literal["community"]
    training_bases: list[str] = Field(min_length=1)
    topics_max: int = Field(ge=1, le=30)
    score: Score
    assistant_eligibility: Eligibility


class HardCase(BaseModel):
    """A case of the quarter as the work layer shows it."""

    case_id: int
    process: str
    subject: str
    due_on: date | None
    escalation_level: int = 0  # the highest level it was escalated to
    open_resolution: bool = False  # a meeting resolution still open
    rectification: bool = False  # a bad rating that needed rectification


class ProposedTopic(BaseModel):
    case_id: int
    title: str
    score: int
    evidence: dict


def rank_topics(cases: list[HardCase], rules: ForumRules, calendar: WorkingCalendar,
                as_of: date) -> list[ProposedTopic]:
    """LK-13a: the quarter's hardest problems first, each with why it was proposed."""
    topics = [_topic(c, rules.score, calendar, as_of) for c in cases]
    topics = [t for t in topics if t.score > 0]
    return sorted(topics, key=lambda t: (-t.score, t.case_id))[:rules.topics_max]


def _topic(case: HardCase, score: Score, calendar: WorkingCalendar, as_of: date
           ) -> ProposedTopic:
    late = (calendar.working_days_between(case.due_on, as_of)
            if case.due_on and case.due_on < as_of else 0)
    counted = min(late, score.overdue_days_cap)
    points = (case.escalation_level * score.per_escalation_level
              + counted * score.per_working_day_overdue
              + (score.overdue_resolution if case.open_resolution and late else 0)
              + (score.rectification if case.rectification else 0))
    evidence = {"process": case.process, "escalation_level": case.escalation_level,
                "working_days_overdue": late, "open_resolution": case.open_resolution,
                "rectification": case.rectification}
    return ProposedTopic(case_id=case.case_id, title=case.subject, score=points,
                         evidence=evidence)


def eligibility(forums: int, trainings: int, rule: Eligibility) -> tuple[bool, str]:
    """LK-13b: the record speaks for the candidate; the reasons say what it shows."""
    ok = forums >= rule.forums_attended and trainings >= rule.trainings
    return ok, (f"参加红心论坛{forums}次（需{rule.forums_attended}次），"
                f"实训基地培训{trainings}次（需{rule.trainings}次）")
