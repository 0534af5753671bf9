"""One-stop intake (HC-11b/c/e, HC-12): a station accepts an application for any delegated
service, answers at once with a receipt number, the promised date and — if anything is
missing — the single notice of everything missing; on-the-spot services are decided there.
Complete applications of other services go to their department (the `approval` process)."""

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope
from policies.calendar import WorkingCalendar
from policies.one_stop import intake
from policies.one_stop.intake import Channel, Deferral
from policies.personal_data import mask_citizen_id, mask_phone
from policies.work_items import FINAL
from services.one_stop.channels import Route, applicant_number, route_for
from services.one_stop.models import Notice, ReceiptCounter, Visit
from services.platform import audit, catalogue, documents, idempotency
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.errors import Conflict, InvalidInput, NotFound
from services.platform.validation import CitizenId, CreditCode, Mobile
from services.work import cases, outbox, process_versions
from services.work.models import Case, WorkItem

TEMPLATES = documents.Templates("services.one_stop")

PROCESS = "approval"
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
FINAL_STATUSES = [s.value for s in FINAL]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["person"] = "person"
    name: str = Field(min_length=1, max_length=50)
    id_number: CitizenId
    phone: Mobile


class Enterprise(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["enterprise"] = "enterprise"
    name: str = Field(min_length=2, max_length=200)
    credit_code: CreditCode
    phone: Mobile


class ApplicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: str = Field(pattern=r"^S\d{3}$")
    station: str | None = Field(default=None, pattern=r"^st-\d{2}$", description=(
        "the accepting station, for a clerk at its counter; left out when the applicant "
        "files online"))
    handling_station: str | None = Field(default=None, pattern=r"^st-\d{2}$", description=(
        "online only: the station the applicant chooses for anything in person (a "
        "correction at the counter, delivery of the result); left out: st-01"))
    applicant: Person | Enterprise = Field(discriminator="kind")
    materials: list[str] = Field(default_factory=list, max_length=50)
    deferrals: list[Deferral] = Field(default_factory=list, max_length=20,
                                      description="容缺受理: minor materials promised by a date")
    agent: str | None = Field(default=None, max_length=64,
                              description="the service specialist filing for an enterprise")

    @model_validator(mode="after")
    def _agents_file_for_enterprises(self) -> "ApplicationCreate":
        if self.agent and self.applicant.kind != "enterprise":
            raise ValueError("a service specialist files for an enterprise only (HC-12)")
        return self


class ApplicationRead(BaseModel):
    id: int
    receipt_no: str
    status: str
    service: str
    channel: Channel
    station: str  # the station handling it: the accepting one, or the online applicant's pick
    applicant: dict
    promised_due_on: date | None
    missing: list[str]
    deferred: list[Deferral]
    notice: list[str] | None  # the single notice, when one was issued
    decided_on_the_spot: bool
    visits: int
    current_work_item: int | None
    timeline: list[dict]  # what happened, from the audit trail
    flow_run_id: str | None


def submit(db: Database, calendar: WorkingCalendar, actor: Actor, data: ApplicationCreate,
           today: date, idempotency_key: str | None = None) -> ApplicationRead:
    """At a station's counter by its clerk, or online by the applicant for itself."""
    request_hash = idempotency.request_hash(data)

    def work(uow) -> ApplicationRead | int:
        route = route_for(uow.session, actor, station=data.station,
                          handling_station=data.handling_station, applicant=data.applicant)
        if idempotency_key:
            earlier = idempotency.earlier_case(uow.session, idempotency_key, actor.username,
                                               request_hash)
            if earlier is not None:
                return earlier
        service = catalogue.service_rule(uow.session, data.service, data.applicant.kind)
        check = intake.check(service, set(data.materials), data.deferrals)
        if check.refused_deferrals:
            raise InvalidInput(f"not deferrable under the service guide: "
                               f"{', '.join(check.refused_deferrals)}", field="deferrals")
        case, events = _open_case(uow.session, calendar, actor, data, route, service, check,
                                  today)
        if idempotency_key:
            idempotency.remember(uow.session, idempotency_key, actor.username, request_hash,
                                 case.id)
        recorded = _append_audit(uow.session, actor, case, events)
        uow.commit()
        return _answer(actor, case, recorded, notice=check.missing if check.verdict == "incomplete"
                       else None)

    answer = idempotency.run_once(db, idempotency_key, work)
    # A new case is answered as it was committed; an earlier answer as the case stands now.
    return answer if isinstance(answer, ApplicationRead) else get(db, actor, answer)


def supply(db: Database, calendar: WorkingCalendar, actor: Actor, case_id: int,
           materials: list[str], today: date) -> ApplicationRead:
    """Materials brought to the counter or uploaded: the case goes on where it stopped."""
    def work(uow) -> None:
        case = _load(uow.session, actor, case_id, write=True)
        if case.status != "awaiting_materials":
            raise Conflict(f"the application is {case.status}; nothing is awaited")
        service = catalogue.service_rule(uow.session, case.service_code,
                                         case.details["applicant"]["kind"])
        provided = sorted(set(case.details["provided"]) | set(materials))
        deferred = [Deferral.model_validate(d) for d in case.details["deferred"]]
        check = intake.check(service, set(provided), deferred)
        events = [{"action": "application.supplied", "before": {"missing": case.details["missing"]},
                   "after": {"missing": check.missing}}]
        case.details = case.details | {"provided": provided, "missing": check.missing}
        if check.verdict != "incomplete":
            events.append(_accept(calendar, actor, case, service, check, today))
            _announce(uow.session, case)
        _append_audit(uow.session, actor, case, events)
        uow.commit()

    db.run(work)
    return get(db, actor, case_id)


def get(db: Database, actor: Actor, case_id: int) -> ApplicationRead:
    with db.reading() as uow:
        return _read(uow.session, actor, _load(uow.session, actor, case_id))


def _read(session: Session, actor: Actor, case: Case) -> ApplicationRead:
    notice = session.scalar(select(Notice).where(
        Notice.case_id == case.id, Notice.kind == "single_notice"))
    serves = access.sees_personal_data(actor, cases.scope_of(session, case))
    current = session.scalar(select(WorkItem.id).where(
        WorkItem.case_id == case.id,
        WorkItem.status.not_in(FINAL_STATUSES)).order_by(
        WorkItem.id.desc()).limit(1))
    visits = session.scalar(select(func.count()).select_from(Visit).where(
        Visit.case_id == case.id))
    events = session.scalars(audit.query(subject_type="case", subject_id=str(case.id),
                                         limit=200))
    return _application(case, serves, notice=notice and notice.materials, visits=visits,
                        current_work_item=current, events=events)


def _answer(actor: Actor, case: Case, events: list[models.AuditEvent],
            notice: list[str] | None) -> ApplicationRead:
    """What `get` reads back right after a new case commits, from what its unit wrote: such a
    case has no visit, work item or run yet, and its timeline is the events just appended.
    Whoever may file (the station's clerk, an administrator, the applicant online) serves
    the applicant whatever the org tree says, so the scope leaves the tree out: it could only
    mask more."""
    serves = access.sees_personal_data(actor, ObjectScope(
        department=case.department_code, station=case.station_code,
        applicant_number=case.applicant_number))
    return _application(case, serves, notice=notice, visits=0, current_work_item=None,
                        events=events)


def _application(case: Case, serves: bool, *, notice: list[str] | None, visits: int,
                 current_work_item: int | None, events) -> ApplicationRead:
    return ApplicationRead(
        id=case.id, receipt_no=case.receipt_no, status=case.status,
        service=case.service_code, channel=case.details.get("channel", Channel.STATION),
        station=case.station_code, applicant=_shown(case.details["applicant"], serves),
        promised_due_on=case.due_on,
        missing=case.details["missing"], deferred=case.details["deferred"], notice=notice,
        decided_on_the_spot=bool((case.outcome or {}).get("on_the_spot")),
        visits=visits, current_work_item=current_work_item,
        timeline=[{"at": e.at, "action": e.action, "by": e.actor} for e in events],
        flow_run_id=case.flow_run_id)


def _open_case(session: Session, calendar: WorkingCalendar, actor: Actor,
               data: ApplicationCreate, route: Route, service,
               check: intake.Completeness, today: date) -> tuple[Case, list[dict]]:
    """The case, decided if it is complete, with its notice or outbox message; returns it
    with the audit events still to append."""
    now = datetime.now(UTC)
    case = Case(
        receipt_no=_next_receipt(session, route.series, today), process=PROCESS,
        process_version=process_versions.current_version(session, PROCESS),
        status="awaiting_materials", service_code=service.code,
        department_code=service.department, station_code=route.station,
        applicant_number=applicant_number(data.applicant),
        subject=f"{service.name_zh}：{data.applicant.name}", accepted_on=today,
        details={"applicant": data.applicant.model_dump(), "agent": data.agent,
                 "channel": route.channel.value, "provided": sorted(set(data.materials)),
                 "missing": check.missing,
                 "deferred": [d.model_dump(mode="json") for d in check.deferred]},
        created_at=now, updated_at=now)
    events = [{"action": "application.received", "after": {
        "receipt_no": case.receipt_no, "service": service.code, "missing": check.missing}}]
    if check.verdict != "incomplete":
        events.append(_accept(calendar, actor, case, service, check, today))
    session.add(case)
    session.flush()  # decided before its INSERT: no UPDATE follows
    if check.verdict == "incomplete":
        session.add(Notice(case_id=case.id, kind="single_notice",
                                  materials=check.missing, issued_at=now))
        events.append({"action": "application.notice_issued",
                       "after": {"materials": check.missing}})
    else:
        _announce(session, case)
    return case, events


def _accept(calendar: WorkingCalendar, actor: Actor, case: Case, service,
            check: intake.Completeness, today: date) -> dict:
    """Complete (or complete but for promised minor materials): decided on the spot, or
    handed to the department's approval process. Returns the audit event to append."""
    case.accepted_on = today
    case.due_on = calendar.add_working_days(today, service.promised_working_days)
    case.legal_due_on = calendar.add_working_days(today, service.legal_working_days)
    if intake.decided_on_the_spot(service, check):
        case.status, case.finished_on = "approved", today
        case.outcome = {"outcome": "approve", "on_the_spot": True, "decided_by": actor.username}
        return {"action": "case.approved", "after": case.outcome, "note": "马上办"}
    case.status = "in_progress"
    return {"action": "application.accepted",
            "after": {"due_on": case.due_on, "verdict": check.verdict}}


def _announce(session: Session, case: Case) -> None:
    """After commit the applicant hears how a decided case ended; an accepted one starts the
    department's process."""
    if case.status == "approved":
        cases.notify_ended(session, case)
    else:
        outbox.start_run(session, case, "start")


def _append_audit(session: Session, actor: Actor, case: Case,
                  events: list[dict]) -> list[models.AuditEvent]:
    """The unit's audit events, appended after everything else it writes: on PostgreSQL the
    chain's lock is held from the first append until commit, and every statement left after
    it would keep every other writer waiting."""
    session.flush()
    return [audit.record(session, actor, subject_type="case", subject_id=case.id, **event)
            for event in events]


def _next_receipt(session: Session, series: str, today: date) -> str:
    """The series' next number of the day, taken in one statement: the upsert holds the
    counter's row (PostgreSQL) or the database (SQLite) until commit, so no two cases get the
    same number, and the first two of a day cannot both try to create the counter."""
    upsert = _INSERTS[session.get_bind().dialect.name](ReceiptCounter).values(
        series=series, day=today, last=1)
    last = session.scalar(upsert.on_conflict_do_update(
        index_elements=["series", "day"], set_={"last": ReceiptCounter.last + 1})
        .returning(ReceiptCounter.last))
    return intake.receipt_number(series, today, last)


def _load(session: Session, actor: Actor, case_id: int, write: bool = False) -> Case:
    # A write locks the case: two supplies at once must not both find it awaiting materials.
    case = session.get(Case, case_id, with_for_update=write)
    allowed = access.can_write if write else access.can_read
    if case is None or case.receipt_no is None or not allowed(
            actor, cases.scope_of(session, case)):
        raise NotFound(f"no application {case_id}")
    return case


def _shown(applicant: dict, serves: bool) -> dict:
    if serves:
        return applicant
    masked = dict(applicant)
    if "id_number" in masked:
        masked["id_number"] = mask_citizen_id(masked["id_number"])
    masked["phone"] = mask_phone(masked["phone"])
    return masked


def document(db: Database, actor: Actor, case_id: int,
             kind: Literal["notice", "certificate", "rejection"], secret: str) -> str:
    """The single notice, the certificate of an approved application or the reasoned notice of
    a rejected one, as HTML. The applicant's numbers are masked on every document."""
    with db.reading() as uow:
        case = _load(uow.session, actor, case_id)
        service = uow.session.get(models.Service, case.service_code)
        applicant = _shown(case.details["applicant"], serves=False)
        if kind == "notice":
            notice = uow.session.scalar(select(Notice).where(
                Notice.case_id == case.id, Notice.kind == "single_notice"))
            if notice is None:
                raise NotFound(f"application {case_id} needed no notice: nothing was missing")
            guide = {m["code"]: m for m in service.materials}
            station = uow.session.get(models.Station, case.station_code)
            return TEMPLATES.render(
                "single_notice.html", receipt_no=case.receipt_no, applicant=applicant["name"],
                service=service.name_zh, materials=[guide[c] for c in notice.materials],
                station=station.name_zh, issued_on=notice.issued_at.date())
        if kind == "rejection":
            if case.status != "rejected":
                raise NotFound(f"application {case_id} was not rejected: it is {case.status}")
            department = uow.session.get(models.Department, case.department_code)
            return TEMPLATES.render(
                "rejection_notice.html", receipt_no=case.receipt_no,
                applicant=applicant["name"], service=service.name_zh,
                department=department.name_zh, reasons=case.outcome["reasons"],
                decided_on=case.finished_on,
                verification_code=documents.verification_code(secret, case.receipt_no))
        if case.status != "approved":
            raise NotFound(f"application {case_id} has no certificate: it is {case.status}")
        return TEMPLATES.render(
            "certificate.html", receipt_no=case.receipt_no, applicant=applicant["name"],
            identifier=applicant.get("id_number") or applicant.get("credit_code"),
            service=service.name_zh, decided_on=case.finished_on or case.updated_at.date(),
            on_the_spot=bool((case.outcome or {}).get("on_the_spot")),
            verification_code=documents.verification_code(secret, case.receipt_no))


def list_applications(db: Database, actor: Actor, *, station: str | None, service: str | None,
                      status: str | None, limit: int, offset: int) -> list[ApplicationRead]:
    """Applications the caller may read, newest first."""
    stmt = select(Case).where(Case.receipt_no.is_not(None))
    for column, value in [(Case.station_code, station),
                          (Case.service_code, service), (Case.status, status)]:
        if value is not None:
            stmt = stmt.where(column == value)
    if actor.station:  # narrow in SQL where the scope is a column; check every row anyway
        stmt = stmt.where(Case.station_code == actor.station)
    if actor.department:
        stmt = stmt.where(Case.department_code == actor.department)
    if actor.applicant_number:
        stmt = stmt.where(Case.applicant_number == actor.applicant_number)
    with db.reading() as uow:
        found = uow.session.scalars(stmt.order_by(Case.id.desc())).all()
        readable = [c for c in found
                    if access.can_read(actor, cases.scope_of(uow.session, c))]
        return [_read(uow.session, actor, c) for c in readable[offset:offset + limit]]
