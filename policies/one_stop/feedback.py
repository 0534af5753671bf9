"""Visits, feedback and ratings (HC-11e, HC-14a, HC-03).

At most one in-person visit per case, none for a no-meeting (不见面) service; every ended case
sends feedback to the applicant and takes one rating (好差评); a bad one opens a rectification
by the responsible department, due in 15 working days, and a call-back to the applicant.
"""

from enum import IntEnum

RECTIFICATION_WORKING_DAYS = 15


class Grade(IntEnum):
    VERY_SATISFIED = 5      # 非常满意
    SATISFIED = 4           # 满意
    FAIRLY_SATISFIED = 3    # 基本满意
    DISSATISFIED = 2        # 不满意
    VERY_DISSATISFIED = 1   # 非常不满意


GRADE_ZH = {Grade.VERY_SATISFIED: "非常满意", Grade.SATISFIED: "满意",
            Grade.FAIRLY_SATISFIED: "基本满意", Grade.DISSATISFIED: "不满意",
            Grade.VERY_DISSATISFIED: "非常不满意"}
ENDED = {"approved", "rejected"}


def is_bad(grade: Grade) -> bool:
    return grade <= Grade.DISSATISFIED


def visits_allowed(no_meeting: bool) -> int:
    """最多跑一次 (HC-11e); 不见面 (HC-14a) means none at all."""
    return 0 if no_meeting else 1


def kept_visit_promise(visits: int, no_meeting: bool) -> bool:
    return visits <= visits_allowed(no_meeting)
