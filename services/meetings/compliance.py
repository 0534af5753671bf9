"""Compliance (QL-10a): a period that ended without the body's meeting held is a finding,
recorded once by the sweep (unique per body and period); the dashboard shows each body's
periods with the on-time closure rate of its resolutions."""

from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from policies.meetings.bodies import Body
from policies.meetings.cadence import MeetingRules, ended_periods
from policies.meetings.resolutions import on_time, on_time_rate
from services.meetings.models import Meeting, MeetingFinding, Resolution
from services.platform import audit
from services.platform.db.uow import Database
from services.work import cases

HELD = ("held", "closed")
SWEEPER = cases.process_actor("meeting-compliance")


class Finding(BaseModel):
    body_code: str
    level: str
    period: str
    period_end: date
    found_on: date


def sweep(db: Database, rules: MeetingRules, bodies: dict[str, Body], today: date,
          since: date | None = None) -> list[Finding]:
    """Record each missed period not recorded yet (periods that began on or after `since`,
    by default the day tracking began, and ended before `today`); a second sweep records
    nothing."""
    found = []
    for body in bodies.values():
        for period in ended_periods(rules.cadence(body.level), since or rules.tracked_from,
                                    today):
            try:
                row = db.run(lambda uow, b=body, p=period: _record(uow, b, p, today))
            except IntegrityError:
                continue  # a concurrent sweep recorded it first
            if row:
                found.append(row)
    return found


def _record(uow, body: Body, period, today: date) -> Finding | None:
    held = uow.session.scalar(select(Meeting.id).where(
        Meeting.body_code == body.code, Meeting.period == period.code,
        Meeting.status.in_(HELD)))
    known = uow.session.scalar(select(MeetingFinding.id).where(
        MeetingFinding.body_code == body.code, MeetingFinding.period == period.code))
    if held or known:
        return None
    row = MeetingFinding(body_code=body.code, level=body.level, period=period.code,
                         period_end=period.end, found_on=today, at=datetime.now(UTC))
    uow.session.add(row)
    uow.session.flush()
    audit.record(uow.session, SWEEPER, action="meeting.missed", subject_type="org_unit",
                 subject_id=body.code, after={"period": period.code, "ended": period.end})
    uow.commit()
    return Finding.model_validate(row, from_attributes=True)


class MeetingBodyPeriod(BaseModel):
    body_code: str
    body_name_zh: str
    level: str
    period: str
    meeting_id: int | None
    held_on: date | None
    finding: bool
    resolutions: int
    resolutions_due: int
    closed_on_time: int
    on_time_rate: float | None


class MeetingsDashboard(BaseModel):
    as_of: date
    rows: list[MeetingBodyPeriod]
    findings: int
    on_time_rate: float | None


def dashboard(db: Database, bodies: dict[str, Body], today: date, *, level: str | None,
              period: str | None, allowed) -> MeetingsDashboard:
    """Every body's meetings and findings by period, with its resolutions' on-time rate."""
    with db.reading() as uow:
        meetings = {(m.body_code, m.period): m for m in uow.session.scalars(select(Meeting))}
        findings = {(f.body_code, f.period) for f in uow.session.scalars(select(MeetingFinding))}
        by_meeting: dict[int, list[Resolution]] = {}
        for r in uow.session.scalars(select(Resolution)):
            by_meeting.setdefault(r.meeting_id, []).append(r)
    keys = sorted(set(meetings) | findings)
    rows = [_row(bodies[b], p, meetings.get((b, p)), (b, p) in findings,
                 by_meeting.get(getattr(meetings.get((b, p)), "id", None), []), today)
            for b, p in keys if (not level or bodies[b].level == level)
            and (not period or p == period) and allowed(b)]
    due = sum(r.resolutions_due for r in rows)
    return MeetingsDashboard(as_of=today, rows=rows, findings=sum(r.finding for r in rows),
                     on_time_rate=on_time_rate(sum(r.closed_on_time for r in rows), due))


def _row(body: Body, period: str, m: Meeting | None, finding: bool, rs: list[Resolution],
         today: date) -> MeetingBodyPeriod:
    due = [r for r in rs if r.deadline < today or r.closed_on]
    timely = sum(on_time(r.closed_on, r.deadline) for r in due)
    return MeetingBodyPeriod(body_code=body.code, body_name_zh=body.name_zh, level=body.level,
                      period=period, meeting_id=m and m.id, held_on=m and m.held_on,
                      finding=finding, resolutions=len(rs), resolutions_due=len(due),
                      closed_on_time=timely, on_time_rate=on_time_rate(timely, len(due)))
