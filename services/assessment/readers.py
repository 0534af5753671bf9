"""What the assessment reads of the other processes: the shared work layer only.

Every process that the indicators judge records its cases in the work layer, and a case carries
what the assessment needs — its process name, its place (a grid or community in
`details.org_unit`, a body's unit in `details.body`, a station in `station_code`), its dates
(accepted, due, finished), its status and outcome — and the escalations applied to it. So the
assessment imports no process and needs no view of a process's own tables: the process names
and the details keys below are the published contract (the same ones the red forum and the
dashboards read). Reference data (org units, stations) comes from the platform.

An indicator whose figures are not on the case (volunteer compliance, whistle response, one-stop
satisfaction) waits for its process to publish a read model; the data lists it as pending."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies.assessment.scoring import Ratio
from services.platform.db import models
from services.work.models import Case, Escalation

GRID, WISH, RESOLUTION, MEETING, APPROVAL = (
    "grid-loop", "micro-wish", "meeting-resolution", "joint-meeting", "approval")
SATISFIED = {"satisfied", "basically-satisfied"}
FULFILLED = {"fulfilled", "confirmed"}
DISTRICT_CENTRE = "district"  # the district's own centre: one-stop cases with no station


@dataclass(frozen=True)
class CaseFacts:
    id: int
    process: str
    place: str | None  # the org unit (grid, community, street, district) or station
    station: str | None
    status: str
    accepted_on: date
    due_on: date | None
    finished_on: date | None
    rating: str | None


@dataclass(frozen=True)
class Places:
    communities: dict[str, str]  # code → name
    community_of: dict[str, str]  # any unit under a community (or itself) → the community
    station_community: dict[str, str]  # community station → its community


def places(session: Session) -> Places:
    units = list(session.scalars(select(models.OrgUnit)))
    parent = {u.code: u.parent_code for u in units}
    communities = {u.code: u.name_zh for u in units if u.level == "community"}

    def community(code: str | None) -> str | None:
        while code is not None and code not in communities:
            code = parent.get(code)
        return code

    stations = session.scalars(select(models.Station).where(
        models.Station.community_code.is_not(None)))
    return Places(communities=communities,
                  community_of={u.code: c for u in units if (c := community(u.code))},
                  station_community={s.code: s.community_code for s in stations})


def case_facts(session: Session, start: date, end: date) -> list[CaseFacts]:
    """The cases of the judged processes accepted between `start` and `end`."""
    rows = session.execute(select(
        Case.id, Case.process, Case.details, Case.station_code, Case.status, Case.accepted_on,
        Case.due_on, Case.finished_on, Case.outcome).where(
        Case.process.in_([GRID, WISH, RESOLUTION, MEETING, APPROVAL]),
        Case.accepted_on.between(start, end)))
    return [CaseFacts(id=r.id, process=r.process, place=_place(r.process, r.details),
                      station=r.station_code, status=r.status, accepted_on=r.accepted_on,
                      due_on=r.due_on, finished_on=r.finished_on,
                      rating=(r.outcome or {}).get("rating")) for r in rows]


def _place(process: str, details: dict[str, Any] | None) -> str | None:
    details = details or {}
    return details.get("body") if process in (RESOLUTION, MEETING) else details.get("org_unit")


def overdue_escalated(session: Session, case_ids: list[int], until: date) -> set[int]:
    """Cases escalated past a deadline up to `until` (a warning before the deadline does not
    count; nor does an escalation after the year, which the next sweep may still apply)."""
    found: set[int] = set()
    for chunk in (case_ids[n:n + 500] for n in range(0, len(case_ids), 500)):
        found |= set(session.scalars(select(Escalation.case_id).where(
            Escalation.case_id.in_(chunk), Escalation.applied_on <= until,
            (Escalation.due_on.is_(None)) | (Escalation.applied_on > Escalation.due_on))))
    return found


def community_ratios(session: Session, year: int) -> tuple[Places, dict[str, dict[str, Ratio]]]:
    """Each community's indicator figures for the year (data/assessment.yaml's definitions)."""
    where = places(session)
    facts = case_facts(session, date(year, 1, 1), date(year, 12, 31))
    escalated = overdue_escalated(session, [f.id for f in facts], date(year, 12, 31))
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for f in facts:
        community = (where.station_community.get(f.station) if f.process == APPROVAL
                     else where.community_of.get(f.place or ""))
        if community is None:
            continue  # a district or street body's case, or a village station's
        for code, hit in _indicator_hits(f, f.id in escalated):
            counts[community][code][0] += hit
            counts[community][code][1] += 1
    return where, {c: {code: Ratio(part=p, whole=w) for code, (p, w) in found.items()}
                   for c, found in counts.items()}


def _indicator_hits(f: CaseFacts, escalated: bool) -> list[tuple[str, bool]]:
    """(indicator, counted in its numerator) for each indicator whose denominator has `f`."""
    on_time = f.finished_on is not None and (f.due_on is None or f.finished_on <= f.due_on)
    if f.process == GRID:
        hits = [("grid_resolved_on_time", on_time)]
        if f.rating:
            hits.append(("grid_satisfaction", f.rating in SATISFIED))
        return hits + [("escalated_share", escalated)]
    if f.process == WISH:
        return [("wishes_fulfilled", f.status in FULFILLED), ("escalated_share", escalated)]
    if f.process == RESOLUTION:  # closed without ever being escalated past its deadline
        return [("resolutions_on_time", f.status == "closed" and not escalated),
                ("escalated_share", escalated)]
    if f.process == MEETING:
        return [("meetings_held", f.status in ("held", "closed"))]
    return [("one_stop_on_time", on_time)]
