"""The reserve of community secretaries (LK-13b): forum participation (recorded when a forum
is held) and training at the two bases, per person; the selection of a secretary assistant
(书记助理) as a recorded decision with its reasons. Organisers and auditors read a person's
record; the person reads their own."""

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select

from policies.access import Actor, Role
from policies.red_forum.forum import ForumRules, eligibility
from services.platform import audit
from services.platform.db.uow import Database
from services.platform.errors import InvalidInput, NotFound
from services.platform.validation import IsoDate
from services.red_forum.forums import community_codes, is_organiser
from services.red_forum.models import ReserveEntry


class TrainingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    place: str = Field(min_length=2, max_length=100, description="锦里社区 or 润新社区")
    on: IsoDate


class SelectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    selected: StrictBool
    reasons: str = Field(min_length=2, max_length=2000)
    on: IsoDate


class EntryRead(BaseModel):
    kind: Literal["forum", "training", "selection"]
    on: date
    place: str | None
    forum_id: int | None
    selected: bool | None
    reasons: str | None
    recorded_by: str


class ReserveRecord(BaseModel):
    person: str
    forums: int
    trainings: int
    eligible: bool
    eligibility: str
    entries: list[EntryRead]


def record_training(db: Database, actor: Actor, rules: ForumRules, person: str,
                    data: TrainingCreate) -> ReserveRecord:
    _organiser(db, actor, rules, person)
    if data.place not in rules.training_bases:
        raise InvalidInput(f"the training bases are {rules.training_bases}", field="place")
    _add(db, actor, person, "training", data.on, place=data.place)
    return read(db, actor, rules, person)


def select_assistant(db: Database, actor: Actor, rules: ForumRules, person: str,
                     data: SelectionCreate) -> ReserveRecord:
    """A selection names its reasons; the record must show the eligibility it needs."""
    _organiser(db, actor, rules, person)
    record = read(db, actor, rules, person)
    if data.selected and not record.eligible:
        raise InvalidInput(f"not eligible: {record.eligibility}", field="selected")
    _add(db, actor, person, "selection", data.on, selected=data.selected,
         reasons=f"{data.reasons}（{record.eligibility}）")
    return read(db, actor, rules, person)


def read(db: Database, actor: Actor, rules: ForumRules, person: str) -> ReserveRecord:
    if not (is_organiser(actor, rules) or actor.role is Role.AUDITOR
            or actor.username == person):
        raise NotFound(f"no reserve record for {person}")
    with db.reading() as uow:
        rows = list(uow.session.scalars(select(ReserveEntry).where(
            ReserveEntry.person == person).order_by(ReserveEntry.on, ReserveEntry.id)))
    forums = sum(r.kind == "forum" for r in rows)
    trainings = sum(r.kind == "training" for r in rows)
    ok, why = eligibility(forums, trainings, rules.assistant_eligibility)
    return ReserveRecord(person=person, forums=forums, trainings=trainings, eligible=ok,
                         eligibility=why,
                         entries=[EntryRead.model_validate(r, from_attributes=True)
                                  for r in rows])


def _organiser(db: Database, actor: Actor, rules: ForumRules, person: str) -> None:
    """Organisers keep the record, of community secretaries only (their accounts are named
    after their community: secretary-<community>)."""
    if not is_organiser(actor, rules) or person.removeprefix("secretary-") not in \
            community_codes(db):
        raise NotFound(f"no community secretary {person}")


def _add(db: Database, actor: Actor, person: str, kind: str, on: date, **values) -> None:
    def work(uow):
        row = ReserveEntry(person=person, kind=kind, on=on, recorded_by=actor.username,
                           at=datetime.now(UTC), **values)
        uow.session.add(row)
        uow.session.flush()
        audit.record(uow.session, actor, action=f"reserve.{kind}", subject_type="reserve",
                     subject_id=person, after={"on": on, **values})
        uow.commit()

    db.run(work)
