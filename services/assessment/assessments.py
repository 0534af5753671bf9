"""The yearly happy-community assessment (LK-02): every community's indicators for the year from
the work layer (readers.py), its score and rank, the change against last year and the award
candidates; the district confirms or declines each candidate on its work item; the ranking is
published with the figures behind every score."""

from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies.access import Actor, Role, is_staff
from policies.assessment.rules import AssessmentRules
from policies.assessment.scoring import (
    Candidate,
    Ranked,
    award_candidates,
    rank,
    score,
    with_changes,
)
from policies.reference import ReferenceDataError
from services.assessment import readers
from services.assessment.models import Assessment, AssessmentEntry, Award
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.platform.reference_data import file_name, read_yaml, validate_entry
from services.work import cases, outbox
from services.work.models import Case, WorkItem
from services.work.work_items import WorkItemSpec

PROCESS = "assessment"
DEPLOYMENT = "assessment/yearly"
ACTOR = cases.process_actor(PROCESS)
CONFIRM_STEP = "confirm-awards"


@cache
def assessment_rules() -> AssessmentRules:
    path = files("policies.assessment") / "data" / "assessment.yaml"
    raw = read_yaml(path)
    for indicator in raw.get("indicators") or []:
        if isinstance(indicator, dict) and indicator.get("band_from"):
            indicator["band"] = published_band(indicator["band_from"])
    return validate_entry(AssessmentRules, raw, file_name(path), "assessment")


def published_band(name: str) -> dict[str, Any]:
    """A band another process publishes in its data (`whistle.rate_band`: the whistle's
    吹哨率 band in policies/whistle/data/whistle.yaml), read as a file, never imported, so
    that the assessment holds the rate to the whistle's own thresholds."""
    process, _, key = name.partition(".")
    path = files("policies") / process / "data" / f"{process}.yaml"
    band = read_yaml(path).get(key)
    if not isinstance(band, dict):
        raise ReferenceDataError(f"{file_name(path)}: no '{key}' band for the assessment")
    return {"low": band.get("low"), "high": band.get("high")}


class Outcome(BaseModel):
    """A year's ranking as computed, before it is stored."""

    year: int
    ranking: list[Ranked]
    candidates: list[Candidate]
    previous_source: str  # published (last year's stored ranks), computed (from records), none


def ranking_of(session: Session, rules: AssessmentRules, year: int) -> list[Ranked]:
    where, ratios = readers.community_ratios(session, year)
    return rank([score(code, name, ratios.get(code, {}), rules.indicators)
                 for code, name in where.communities.items()])


def compute(session: Session, rules: AssessmentRules, year: int) -> Outcome:
    previous, source = _previous_ranks(session, rules, year - 1)
    ranking = with_changes(ranking_of(session, rules, year), previous)
    return Outcome(year=year, ranking=ranking, previous_source=source,
                   candidates=award_candidates(ranking, rules.award, rules.key_tasks(year)))


def _previous_ranks(session: Session, rules: AssessmentRules, year: int
                    ) -> tuple[dict[str, int], str]:
    """Last year's published ranks; without a published assessment, its ranks computed from
    its records with this year's rules."""
    stored = session.scalar(select(Assessment.id).where(Assessment.year == year))
    if stored is not None:
        rows = session.execute(select(AssessmentEntry.community, AssessmentEntry.rank).where(
            AssessmentEntry.assessment_id == stored, AssessmentEntry.rank.is_not(None)))
        return dict(rows.tuples().all()), "published"
    ranks = {r.community: r.rank for r in ranking_of(session, rules, year) if r.rank}
    return ranks, "computed" if ranks else "none"


def assess(db: Database, rules: AssessmentRules, year: int, today: date,
           flow_run_id: str | None) -> int:
    """The year's assessment, stored with its candidates. Idempotent: a re-run finds it."""
    def work(uow) -> int:
        existing = uow.session.scalar(select(Assessment.id).where(Assessment.year == year))
        if existing:
            return existing
        outcome = compute(uow.session, rules, year)
        assessment = _store(uow.session, rules, outcome, today, flow_run_id)
        audit.record(uow.session, ACTOR, action="assessment.computed", subject_type="assessment",
                     subject_id=assessment.id, after={
                         "year": year, "ranked": sum(1 for r in outcome.ranking if r.rank),
                         "candidates": [c.community for c in outcome.candidates]})
        uow.commit()
        return assessment.id

    return db.run(work)


def _store(session: Session, rules: AssessmentRules, outcome: Outcome, today: date,
           flow_run_id: str | None) -> Assessment:
    now = datetime.now(UTC)
    status = "awaiting-confirmation" if outcome.candidates else "published"
    # `rerun`: how the reconciler starts the run again if its worker dies while the district
    # has not confirmed yet; the case is live until published (`finished_on`).
    case = Case(process=PROCESS, process_version=1, status=status,
                subject=f"{outcome.year}年度幸福社区考核",
                details={"year": outcome.year,
                         "rerun": outbox.rerun(DEPLOYMENT, year=outcome.year)},
                accepted_on=today, finished_on=None if outcome.candidates else today,
                flow_run_id=flow_run_id, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    assessment = Assessment(
        year=outcome.year, case_id=case.id, status=status, computed_on=today,
        published_on=None if outcome.candidates else today,
        previous_source=outcome.previous_source, created_at=now,
        rules={"indicators": [i.model_dump() for i in rules.indicators],
               "award": rules.award.model_dump(mode="json", exclude={"key_tasks"}),
               "key_tasks": rules.key_tasks(outcome.year)})
    session.add(assessment)
    session.flush()
    for r in outcome.ranking:
        session.add(AssessmentEntry(
            assessment_id=assessment.id, community=r.community, score=r.score, rank=r.rank,
            previous_rank=r.previous_rank, change=r.change,
            indicators=[i.model_dump() for i in r.indicators]))
    for c in outcome.candidates:
        session.add(Award(assessment_id=assessment.id, community=c.community,
                          reasons=c.reasons, status="candidate"))
    return assessment


def is_published(db: Database, assessment_id: int) -> bool:
    with db.reading() as uow:
        return uow.session.get(Assessment, assessment_id).status == "published"


def case_of(db: Database, assessment_id: int) -> int:
    with db.reading() as uow:
        return uow.session.get(Assessment, assessment_id).case_id


def confirmation_spec(case_id: int, rules: AssessmentRules, attempt: int = 1) -> WorkItemSpec:
    """The district's step: confirm or decline each award candidate (no ladder: the award
    waits for the district's decision, it has no statutory deadline)."""
    return WorkItemSpec(case_id=case_id, step=CONFIRM_STEP, attempt=attempt,
                        title="确认幸福社区集体奖励（LK-02）", form="recorded",
                        candidate_group=f"org:{rules.award.confirmer}", due="none",
                        deadline_kind=None, ladder=None)


class Declined(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=2, max_length=1000)


class AwardDecisions(BaseModel):
    """The district's decision on every candidate of the year: confirmed, or declined with
    its reason."""

    model_config = ConfigDict(extra="forbid")

    confirmed: list[str] = Field(default_factory=list, max_length=16)
    declined: list[Declined] = Field(default_factory=list, max_length=16)


def decisions_problem(candidates: set[str], data: AwardDecisions) -> tuple[str, str] | None:
    decided = data.confirmed + [d.community for d in data.declined]
    for n, code in enumerate(data.confirmed):
        if code not in candidates:
            return f"confirmed.{n}", f"'{code}' is not an award candidate of the year"
    for n, d in enumerate(data.declined):
        if d.community not in candidates:
            return f"declined.{n}.community", f"'{d.community}' is not an award candidate"
    if len(decided) != len(set(decided)):
        return "declined", "a candidate is either confirmed or declined, once"
    if set(decided) != candidates:
        return "confirmed", f"decide every candidate: {sorted(candidates - set(decided))} left"
    return None


def is_confirmer(actor: Actor, rules: AssessmentRules) -> bool:
    return actor.role is Role.ADMIN or (
        actor.role is Role.SECRETARY and actor.org_unit == rules.award.confirmer)


def check_decisions(db: Database, actor: Actor, rules: AssessmentRules, year: int,
                    data: AwardDecisions) -> tuple[int, dict[str, Any]]:
    """The work item to decide and its content, if the decisions are the district's and
    complete; refused otherwise, with nothing written."""
    if not is_confirmer(actor, rules):
        raise Forbidden(f"the district ({rules.award.confirmer}) confirms the awards")
    with db.reading() as uow:
        assessment = _assessment(uow.session, year)
        if assessment.status != "awaiting-confirmation":
            raise Conflict(f"the awards of {year} are decided already")
        if problem := decisions_problem(_candidates(uow.session, assessment.id), data):
            raise InvalidInput(problem[1], field=problem[0])
        item = uow.session.scalar(select(WorkItem.id).where(
            WorkItem.case_id == assessment.case_id, WorkItem.step == CONFIRM_STEP,
            WorkItem.status.in_(["open", "claimed"])))
        if item is None:
            raise Conflict("the assessment's flow has not opened the confirmation step yet")
        return item, {"record": "awards", "content": data.model_dump(mode="json") | {
            "decided_by": actor.username}}


def apply_decisions(db: Database, rules: AssessmentRules, assessment_id: int,
                    content: dict[str, Any], today: date) -> bool:
    """The district's decisions on the awards, and the assessment published. False when the
    content does not decide every candidate (the flow then asks again)."""
    def work(uow) -> bool:
        assessment = uow.session.get(Assessment, assessment_id)
        if assessment.status == "published":
            return True
        try:
            data = AwardDecisions.model_validate({k: v for k, v in content.items()
                                                  if k != "decided_by"})
        except ValidationError:
            return False
        if decisions_problem(_candidates(uow.session, assessment_id), data):
            return False
        who = str(content.get("decided_by") or "district")
        for award in uow.session.scalars(select(Award).where(
                Award.assessment_id == assessment_id)):
            _decide(uow.session, rules, award, data, who, today)
        assessment.status, assessment.published_on = "published", today
        case = uow.session.get(Case, assessment.case_id)
        case.status, case.finished_on = "published", today
        uow.commit()
        return True

    return db.run(work)


def _decide(session: Session, rules: AssessmentRules, award: Award, data: AwardDecisions,
            who: str, today: date) -> None:
    declined = {d.community: d.reason for d in data.declined}
    confirmed = award.community not in declined
    award.status = "confirmed" if confirmed else "declined"
    award.amount_yuan = rules.award.amount_yuan if confirmed else None
    award.note = declined.get(award.community)
    award.decided_by, award.decided_on = who, today
    audit.record(session, ACTOR, action=f"award.{award.status}", subject_type="award",
                 subject_id=award.id, after={"community": award.community,
                                             "amount_yuan": award.amount_yuan,
                                             "decided_by": who, "note": award.note})


def _candidates(session: Session, assessment_id: int) -> set[str]:
    return set(session.scalars(select(Award.community).where(
        Award.assessment_id == assessment_id)))


def _assessment(session: Session, year: int) -> Assessment:
    found = session.scalar(select(Assessment).where(Assessment.year == year))
    if found is None:
        raise NotFound(f"no assessment of {year}")
    return found


class EntryRead(BaseModel):
    community: str
    name_zh: str
    score: float | None
    rank: int | None
    previous_rank: int | None
    change: int | None
    indicators: list[dict[str, Any]]


class AwardRead(BaseModel):
    community: str
    name_zh: str
    reasons: list[str]
    status: str  # candidate, confirmed, declined
    amount_yuan: int | None
    decided_by: str | None
    decided_on: date | None
    note: str | None


class AssessmentRead(BaseModel):
    year: int
    status: str
    computed_on: date
    published_on: date | None
    previous_source: str
    weights_are: str
    indicators: list[dict[str, Any]]
    ranking: list[EntryRead]
    awards: list[AwardRead]


def read(db: Database, actor: Actor, rules: AssessmentRules, year: int) -> AssessmentRead:
    """The ranking with each community's indicators, the change against last year, the award
    candidates and the district's decisions. Staff read it (auditors too); residents do not."""
    if not is_staff(actor):
        raise NotFound(f"no assessment of {year}")
    with db.reading() as uow:
        a = _assessment(uow.session, year)
        names = readers.places(uow.session).communities
        entries = uow.session.scalars(select(AssessmentEntry).where(
            AssessmentEntry.assessment_id == a.id))
        ranking = sorted((EntryRead(community=e.community, name_zh=names[e.community],
                                    score=e.score, rank=e.rank, previous_rank=e.previous_rank,
                                    change=e.change, indicators=e.indicators)
                          for e in entries),
                         key=lambda e: (e.rank is None, e.rank or 0, e.community))
        awards = [AwardRead(community=w.community, name_zh=names[w.community], reasons=w.reasons,
                            status=w.status, amount_yuan=w.amount_yuan,
                            decided_by=w.decided_by, decided_on=w.decided_on, note=w.note)
                  for w in uow.session.scalars(select(Award).where(
                      Award.assessment_id == a.id).order_by(Award.community))]
        return AssessmentRead(year=a.year, status=a.status, computed_on=a.computed_on,
                              published_on=a.published_on, previous_source=a.previous_source,
                              weights_are=rules.weights_are,
                              indicators=a.rules["indicators"], ranking=ranking, awards=awards)
