"""Driving a meeting through its use cases as its flow does (the flow itself runs on a real
Prefect server in tests/e2e/meetings): open the secretary's step, decide it through the
endpoint's use case, apply what the flow applies."""

from datetime import UTC, date, datetime

from policies.access import Actor, Role
from services.meetings import meetings, resolutions, steps
from services.meetings.bodies import bodies, rules
from services.meetings.schemas import (
    AgendaFinalise,
    MatterCreate,
    MeetingRecordCreate,
)
from services.platform.reference_data import read_calendar, read_reference
from services.work import work_items
from services.work.models import Case

calendar = read_calendar()
UNITS = {u.name_zh: u.code for u in read_reference().org_units()}
DEPARTMENTS = {d.name_zh: d.code for d in read_reference().departments}


def secretary(code: str) -> Actor:
    return Actor(username=f"secretary-{code}", role=Role.SECRETARY, org_unit=code)


def officer(department: str) -> Actor:
    return Actor(username=f"officer-{department}", role=Role.OFFICER, department=department)


def member_officer(code: str) -> Actor:
    """A part-time member who represents a department (and acts through its account)."""
    member = next(m for m in bodies()[code].members if m.account
                  and m.account.startswith("officer-"))
    return officer(member.account.removeprefix("officer-"))


def convene(db, code: str, on: date, body=None) -> int:
    return meetings.convene(db, calendar, rules(), body or bodies()[code], on, None)


def read(db, meeting_id: int, on: date):
    return meetings.get_meeting(db, bodies(), Actor(username="auditor", role=Role.AUDITOR),
                                meeting_id, on)


def open_step(db, meeting_id: int, step: str) -> None:
    m = read(db, meeting_id, date.today())
    work_items.open_item(db, meetings.step_spec(meetings.case_of(db, meeting_id), m.body_code,
                                                step))


def submit(db, meeting_id: int, actor: Actor, title: str, on: date):
    return meetings.submit_matter(db, None, actor, meeting_id,
                                  MatterCreate(title=title, detail=f"{title}，请会议研究。"), on)


def finalise(db, meeting_id: int, keep: list[int], on: date) -> None:
    """The secretary keeps `keep` in that order and drops the rest with a reason."""
    m = read(db, meeting_id, on)
    others = [i.id for i in m.agenda if i.status == "proposed" and i.id not in keep]
    data = AgendaFinalise(order=[{"item_id": i, "minutes": 20} for i in keep],
                          dropped=[{"item_id": i, "reason": "本次会议不议"} for i in others])
    open_step(db, meeting_id, "agenda")
    steps.finalise_agenda(db, calendar, bodies(), secretary(m.body_code), meeting_id, data, on)
    assert meetings.apply_agenda(db, meeting_id, data.model_dump(mode="json"))


def record_data(db, meeting_id: int, held_on: date, owner: str, working_days: int = 10,
                present: int | None = None, substitutes: int = 0) -> MeetingRecordCreate:
    m = read(db, meeting_id, held_on)
    members = [i.person for i in m.invitations if i.kind != "registered-leader"]
    present = len(members) if present is None else present
    attendance = [{"person": p, "status": "present"} for p in members[:present]]
    attendance += [{"person": p, "status": "substitute", "substitute": "代理人"}
                   for p in members[present:present + substitutes]]
    attendance += [{"person": p, "status": "absent", "reason": "外出公务"}
                   for p in members[present + substitutes:]]
    items = [i.id for i in m.agenda if i.status == "on-agenda"]
    return MeetingRecordCreate(held_on=held_on, place="社区党群服务中心", attendance=attendance,
                               resolutions=[{"agenda_item_id": i, "kind": "实施项目",
                                             "text": f"落实议题{i}", "owner": owner,
                                             "working_days": working_days} for i in items])


def record(db, meeting_id: int, data: MeetingRecordCreate, on: date) -> list[int]:
    m = read(db, meeting_id, on)
    open_step(db, meeting_id, "record")
    steps.record_meeting(db, calendar, rules(), secretary(m.body_code), meeting_id, data, on)
    ids = meetings.apply_record(db, calendar, rules(), meeting_id, data.model_dump(mode="json"),
                                on)
    resolutions.open_follow_up(db, ids)
    return ids


def hold(db, code: str, convened: date, held: date, owner: str, working_days: int = 10,
         title: str = "社区治理重点工作") -> tuple[int, list[int]]:
    """Convene, one member's matter on the agenda (everything else dropped), held with every
    member present, one resolution for `owner`."""
    meeting_id = convene(db, code, convened)
    item = submit(db, meeting_id, member_officer(code), title, convened)
    finalise(db, meeting_id, [item.id], convened)
    ids = record(db, meeting_id, record_data(db, meeting_id, held, owner, working_days), held)
    return meeting_id, ids


def overdue_case(db, station: str, due: date, subject: str) -> int:
    def work(uow) -> int:
        now = datetime.now(UTC)
        case = Case(process="approval", process_version=1, status="in_progress",
                    station_code=station, department_code="civil-affairs", service_code=None,
                    subject=subject, accepted_on=due, due_on=due, created_at=now,
                    updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        uow.commit()
        return case.id

    return db.run(work)
