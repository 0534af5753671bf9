"""The assessment's headline figures, recorded daily by the `dashboard-figures` flow so that
auditors see them over time (the handbook's figures page): the latest published year's mean
score and its award candidates (LK-02); this month's centres nobody used and their mean
popularity index (QL-12b). Same definitions as the ranking and the monthly report."""

from datetime import date

from sqlalchemy import func, select

from policies.assessment.popularity import rank_centres
from policies.calendar import WorkingCalendar
from services.assessment.assessments import assessment_rules
from services.assessment.models import Assessment, AssessmentEntry, Award
from services.assessment.popularity import centre_uses
from services.platform.db.uow import Database
from services.platform.figures import Figure

PROCESS = "assessment"  # the process's code in the clause registry


def figures(db: Database, calendar: WorkingCalendar, today: date) -> list[Figure]:
    with db.reading() as uow:
        latest = uow.session.scalar(select(Assessment.id).where(
            Assessment.status == "published").order_by(Assessment.year.desc()).limit(1))
        mean = candidates = None
        if latest is not None:
            mean = uow.session.scalar(select(func.avg(AssessmentEntry.score)).where(
                AssessmentEntry.assessment_id == latest))
            candidates = uow.session.scalar(select(func.count()).select_from(Award).where(
                Award.assessment_id == latest))
        centres = rank_centres(centre_uses(uow.session, f"{today:%Y-%m}"),
                               assessment_rules().popularity)
    indexes = [c.index for c in centres]
    return [
        Figure(code="mean_score", name_zh="最近一年幸福社区考核平均得分（分）", unit="count",
               value=None if mean is None else round(float(mean), 2)),
        Figure(code="award_candidates", name_zh="最近一年奖励候选社区数", unit="count",
               value=candidates),
        Figure(code="centres_unused", name_zh="本月无人使用的党群服务中心数", unit="count",
               value=sum(1 for i in indexes if i == 0)),
        Figure(code="mean_popularity", name_zh="本月党群服务中心平均人气指数", unit="count",
               value=round(sum(indexes) / len(indexes), 2) if indexes else None),
    ]
