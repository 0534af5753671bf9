"""The assessment's printable documents in Chinese: the year's ranking with the figures behind
every score and the awards, and a month's popularity index of the centres."""

from services.assessment.assessments import AssessmentRead
from services.assessment.popularity import CentresReport
from services.platform import documents

TEMPLATES = documents.Templates("services.assessment")


def ranking_html(assessment: AssessmentRead) -> str:
    return TEMPLATES.render("ranking.html", a=assessment)


def centres_html(report: CentresReport) -> str:
    return TEMPLATES.render("centres.html", r=report)
