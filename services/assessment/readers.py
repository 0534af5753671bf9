"""What the assessment reads of the other processes: the shared work layer, and the read
models the other processes publish.

Every process that the indicators judge records its cases in the work layer, and a case carries
what the assessment needs — its process name, its place (a grid or community in
`details.org_unit`, a body's unit in `details.body`, a station in `station_code`), its dates
(accepted, due, finished), its status and outcome — and the escalations applied to it. So the
assessment imports no process and needs no view of a process's own tables: the process names
and the details keys below are the published contract (the same ones the red forum and the
dashboards read). Reference data (org units, stations) comes from the platform.

The figures that are not on the case — volunteer compliance (QL-11a/b), the whistles, one-stop
ratings and visits, volunteer activities held — are read from the SQL views their processes
publish (migration 0016; each documented in services/<process>/published.md), by name, with
`text()`: the view's name and columns are the contract, the process's tables are not."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from policies.assessment.indicators import (
    APPROVAL,
    GRID,
    MEETING,
    RESOLUTION,
    WISH,
    CaseFacts,
    indicator_hits,
)
from policies.assessment.scoring import Ratio
from services.platform.db import models
from services.work.models import Case, Escalation

DISTRICT_CENTRE = "district"  # the district's own centre: one-stop cases with no station


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


# The published read models (views), by name: (community or station, part, whole) rows.
_MONTHS = "WHERE month BETWEEN :first AND :last GROUP BY community"
VOLUNTEER_UNITS = text(  # QL-11a: unit-months held ÷ unit-months, by paired community
    f"SELECT community, SUM(held), COUNT(*) FROM published_volunteering_units {_MONTHS}")
VOLUNTEER_MEMBERS = text(  # QL-11b: member-months served ÷ member-months, by home community
    f"SELECT community, SUM(served), COUNT(*) FROM published_volunteering_members {_MONTHS}")
_DAYS = "WHERE accepted_on BETWEEN :start AND :end GROUP BY station_code"
ONE_STOP_RATINGS = text(  # HC-03: rated satisfied ÷ rated, by station
    f"SELECT station_code, SUM(satisfied), COUNT(*) FROM published_one_stop_ratings {_DAYS}"
).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
ONE_STOP_VISITS = text(  # HC-11e: ended with at most one visit ÷ ended, by station
    f"SELECT station_code, SUM(at_most_once), COUNT(*) FROM published_one_stop_visits {_DAYS}"
).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))
WHISTLED = text("SELECT DISTINCT case_id FROM published_whistles WHERE case_id IN :ids"
                ).bindparams(bindparam("ids", expanding=True))
ACTIVITIES_HELD = text(  # volunteer activities held (someone signed in) in a month
    "SELECT community, COUNT(*) FROM published_volunteering_activities WHERE month = :month "
    "GROUP BY community")


def whistled(session: Session, case_ids: list[int]) -> set[int]:
    """The cases (grid issues) a whistle was blown on."""
    found: set[int] = set()
    for chunk in (case_ids[n:n + 500] for n in range(0, len(case_ids), 500)):
        found |= set(session.scalars(WHISTLED, {"ids": chunk}))
    return found


def published_counts(session: Session, year: int, where: Places
                     ) -> dict[str, dict[str, tuple[int, int]]]:
    """community → indicator → (part, whole) from the published read models."""
    months = {"first": f"{year}-01", "last": f"{year}-12"}
    days = {"start": date(year, 1, 1), "end": date(year, 12, 31)}
    found: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for code, query, params, by_station in (
            ("volunteer_units_held", VOLUNTEER_UNITS, months, False),
            ("volunteer_members_served", VOLUNTEER_MEMBERS, months, False),
            ("one_stop_satisfaction", ONE_STOP_RATINGS, days, True),
            ("one_stop_single_visit", ONE_STOP_VISITS, days, True)):
        for place, part, whole in session.execute(query, params):
            community = (where.station_community.get(place) if by_station
                         else where.community_of.get(place))
            if community is not None:  # a village station's, or a unit outside the tree
                before = found[community].get(code, (0, 0))
                found[community][code] = (before[0] + int(part), before[1] + int(whole))
    return found


def activities_held(session: Session, month: str) -> dict[str, int]:
    """community → volunteer activities held there in the month (the volunteer plan's view)."""
    return {c: int(n) for c, n in session.execute(ACTIVITIES_HELD, {"month": month})}


def community_ratios(session: Session, year: int) -> tuple[Places, dict[str, dict[str, Ratio]]]:
    """Each community's indicator figures for the year (data/assessment.yaml's definitions)."""
    where = places(session)
    facts = case_facts(session, date(year, 1, 1), date(year, 12, 31))
    escalated = overdue_escalated(session, [f.id for f in facts], date(year, 12, 31))
    blown = whistled(session, [f.id for f in facts if f.process == GRID])
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for f in facts:
        community = (where.station_community.get(f.station) if f.process == APPROVAL
                     else where.community_of.get(f.place or ""))
        if community is None:
            continue  # a district or street body's case, or a village station's
        for code, hit in indicator_hits(f, f.id in escalated, f.id in blown):
            counts[community][code][0] += hit
            counts[community][code][1] += 1
    for community, published in published_counts(session, year, where).items():
        for code, (part, whole) in published.items():
            counts[community][code] = [part, whole]
    return where, {c: {code: Ratio(part=p, whole=w) for code, (p, w) in found.items()}
                   for c, found in counts.items()}
