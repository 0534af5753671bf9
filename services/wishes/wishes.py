"""Micro-wishes' use cases (HC-08): a resident posts; a unit or member claims, or the community
assigns to a paired unit (双向认领); the claimer fulfils; only its resident confirms. The
community's board lists what is open. Each change is one audited transaction."""

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, Role
from policies.wishes.rules import (
    STATUS_ZH,
    WishRules,
    WishStatus,
    confirm_refusal,
    refusal,
    to_urge,
)
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.platform.identity import org_path
from services.wishes.models import Wish
from services.work import outbox, process_versions
from services.work.models import Case

PROCESS = "micro-wish"
URGER = Actor(username="process:micro-wish", role=Role.ADMIN)


class WishPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=2, max_length=2000)


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str = Field(min_length=1, max_length=64, description="a unit paired with the community")


class Fulfilment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=2, max_length=2000)


class WishRead(BaseModel):
    id: int
    community: str
    kind: str
    kind_zh: str
    title: str
    description: str
    resident: str  # the resident's name, shown with its surname only to others
    status: str
    status_zh: str
    claimed_by: str | None
    claimer_unit: str | None
    assigned_by: str | None
    fulfilment: str | None
    posted_on: date
    urged_on: date | None
    confirmed_at: datetime | None


def post(db: Database, rules: WishRules, actor: Actor, data: WishPost, today: date
         ) -> WishRead:
    """A resident (an applicant account: its own number) posts a wish in its community."""
    if actor.role is not Role.APPLICANT:
        raise Forbidden("a resident posts its own wish (sign in as the resident)")
    if data.kind not in rules.kinds:
        raise InvalidInput(f"no kind '{data.kind}'", field="kind")

    def work(uow) -> int:
        unit = uow.session.get(models.OrgUnit, data.community)
        if unit is None or unit.level != "community":
            raise InvalidInput(f"no community '{data.community}'", field="community")
        now = datetime.now(UTC)
        name = uow.session.scalar(select(models.User.full_name).where(
            models.User.username == actor.username))
        case = Case(process=PROCESS, process_version=process_versions.current_version(
            uow.session, PROCESS), status=WishStatus.OPEN.value, subject=data.title,
            applicant_number=actor.applicant_number, accepted_on=today,
            details={"org_unit": data.community, "kind": data.kind}, created_at=now,
            updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        uow.session.add(Wish(case_id=case.id, community=data.community, kind=data.kind,
                             title=data.title, description=data.description,
                             resident_number=actor.applicant_number, resident_name=name or "居民",
                             status=WishStatus.OPEN.value, posted_on=today))
        audit.record(uow.session, actor, action="wish.posted", subject_type="case",
                     subject_id=case.id, after=data.model_dump())
        uow.commit()
        return case.id

    return get(db, rules, actor, db.run(work))


def claim(db: Database, rules: WishRules, actor: Actor, case_id: int) -> WishRead:
    """认领: a unit (a department's officer) or a member (a grid member, a secretary)."""
    if not access.is_staff(actor) or actor.role is Role.AUDITOR:
        raise Forbidden("units and members claim wishes")
    unit = actor.department or actor.org_unit or actor.username
    return _change(db, rules, actor, case_id, "claim",
                   lambda wish, _: _claimed(wish, actor, unit, None))


def assign(db: Database, rules: WishRules, actor: Actor, case_id: int,
           data: Assignment) -> WishRead:
    """派单: the community gives the wish to one of its paired units."""
    def apply(wish: Wish, session: Session) -> None:
        if actor.role is not Role.ADMIN and not (
                actor.role is Role.SECRETARY and actor.org_unit in org_path(
                    session, wish.community)):
            raise Forbidden("the community (its secretary or one above) assigns wishes")
        if data.unit not in rules.paired_units.get(wish.community, []):
            raise InvalidInput(f"'{data.unit}' is not paired with {wish.community}",
                               field="unit")
        _claimed(wish, None, data.unit, actor.username)
        outbox.notify(session, case_id=wish.case_id, to=f"department:{data.unit}",
                      subject=f"微心愿派单：{wish.title}", body=wish.description)

    return _change(db, rules, actor, case_id, "assign", apply)


def fulfil(db: Database, rules: WishRules, actor: Actor, case_id: int,
           data: Fulfilment) -> WishRead:
    def apply(wish: Wish, _: Session) -> None:
        if actor.role is not Role.ADMIN and actor.username != wish.claimed_by and (
                wish.claimer_unit not in (actor.department, actor.org_unit)):
            raise Forbidden("the claimer (or a member of the claiming unit) fulfils the wish")
        wish.status, wish.fulfilment = WishStatus.FULFILLED.value, data.note

    return _change(db, rules, actor, case_id, "fulfil", apply)


def confirm(db: Database, rules: WishRules, actor: Actor, case_id: int) -> WishRead:
    """确认: only the resident who posted it; no one else, not even an administrator."""
    def apply(wish: Wish, _: Session) -> None:
        if reason := confirm_refusal(actor.role is Role.APPLICANT
                                     and actor.applicant_number == wish.resident_number):
            raise Forbidden(reason)
        wish.status, wish.confirmed_at = WishStatus.CONFIRMED.value, datetime.now(UTC)

    return _change(db, rules, actor, case_id, "confirm", apply, finish=True)


def _claimed(wish: Wish, actor: Actor | None, unit: str, assigned_by: str | None) -> None:
    wish.status, wish.claimer_unit, wish.assigned_by = WishStatus.CLAIMED.value, unit, \
        assigned_by
    wish.claimed_by = actor.username if actor else None


def _change(db: Database, rules: WishRules, actor: Actor, case_id: int, action: str, apply,
            finish: bool = False) -> WishRead:
    def work(uow) -> None:
        case, wish = _load(uow.session, actor, case_id, lock=True)
        if reason := refusal(action, WishStatus(wish.status)):
            raise Conflict(reason)
        before = {"status": wish.status}
        apply(wish, uow.session)
        case.status, case.updated_at = wish.status, datetime.now(UTC)
        if finish:
            case.finished_on = datetime.now(UTC).date()
        audit.record(uow.session, actor, action=f"wish.{action}", subject_type="case",
                     subject_id=case.id, before=before,
                     after={"status": wish.status, "claimer_unit": wish.claimer_unit})
        uow.commit()

    db.run(work)
    return get(db, rules, actor, case_id)


def get(db: Database, rules: WishRules, actor: Actor, case_id: int) -> WishRead:
    with db.reading() as uow:
        _, wish = _load(uow.session, actor, case_id)
        return _read(rules, actor, wish)


def board(db: Database, rules: WishRules, actor: Actor, community: str) -> list[WishRead]:
    """The community's board (心愿墙): its open wishes, oldest first, for all to see."""
    with db.reading() as uow:
        unit = uow.session.get(models.OrgUnit, community)
        if unit is None or unit.level != "community":
            raise NotFound(f"no community '{community}'")
        rows = uow.session.scalars(select(Wish).where(
            Wish.community == community, Wish.status == WishStatus.OPEN.value)
            .order_by(Wish.posted_on, Wish.case_id))
        return [_read(rules, actor, w) for w in rows]


def urge_unclaimed(db: Database, rules: WishRules, today: date) -> list[int]:
    """催办: wishes still unclaimed after `urge_after_days` — the community secretary is told,
    once per wish."""
    def work(uow) -> list[int]:
        urged = []
        for wish in uow.session.scalars(select(Wish).where(
                Wish.status == WishStatus.OPEN.value, Wish.urged_on.is_(None))):
            if to_urge(WishStatus(wish.status), wish.posted_on, False, today, rules):
                wish.urged_on = today
                outbox.notify(uow.session, case_id=wish.case_id,
                              to=f"secretary:{wish.community}",
                              subject=f"微心愿待认领{(today - wish.posted_on).days}天："
                                      f"{wish.title}"[:200],
                              body="请发动结对单位和党员认领，或派单给共建单位")
                audit.record(uow.session, URGER, action="wish.urged", subject_type="case",
                             subject_id=wish.case_id, after={"urged_on": today})
                urged.append(wish.case_id)
        uow.commit()
        return urged

    return db.run(work)


def _load(session: Session, actor: Actor, case_id: int, lock: bool = False
          ) -> tuple[Case, Wish]:
    stmt = select(Wish).where(Wish.case_id == case_id)
    wish = session.scalar(stmt.with_for_update() if lock else stmt)
    if wish is None or not _may_read(actor, wish):
        raise NotFound(f"no wish {case_id}")
    return session.get(Case, case_id), wish


def _may_read(actor: Actor, wish: Wish) -> bool:
    """Its resident, and every staff member: an open wish is on the community's board and
    claimable by any unit; a claimed one stays visible to the units that follow it."""
    if actor.role is Role.APPLICANT:
        return actor.applicant_number == wish.resident_number
    return access.is_staff(actor)


def _read(rules: WishRules, actor: Actor, wish: Wish) -> WishRead:
    own = actor.role is Role.APPLICANT and actor.applicant_number == wish.resident_number
    return WishRead(
        id=wish.case_id, community=wish.community, kind=wish.kind,
        kind_zh=rules.kinds.get(wish.kind, wish.kind), title=wish.title,
        description=wish.description,
        resident=wish.resident_name if own else f"{wish.resident_name[:1]}**",
        status=wish.status, status_zh=STATUS_ZH[WishStatus(wish.status)],
        claimed_by=wish.claimed_by, claimer_unit=wish.claimer_unit,
        assigned_by=wish.assigned_by, fulfilment=wish.fulfilment, posted_on=wish.posted_on,
        urged_on=wish.urged_on, confirmed_at=wish.confirmed_at)
