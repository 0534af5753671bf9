"""Which of the year's cases count toward which indicator (LK-02): the definitions of
`data/assessment.yaml` as the scoring applies them to the facts a case carries in the work
layer (its process, status, dates and rating; whether it was escalated past a deadline or
whistled). The services read the facts; this decides what they count for."""

from dataclasses import dataclass
from datetime import date

GRID, WISH, RESOLUTION, MEETING, APPROVAL = (
    "grid-loop", "micro-wish", "meeting-resolution", "joint-meeting", "approval")
SATISFIED = {"satisfied", "basically-satisfied"}
FULFILLED = {"fulfilled", "confirmed"}


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


def indicator_hits(f: CaseFacts, escalated: bool, whistled: bool) -> list[tuple[str, bool]]:
    """(indicator, counted in its numerator) for each indicator whose denominator has `f`."""
    on_time = f.finished_on is not None and (f.due_on is None or f.finished_on <= f.due_on)
    if f.process == GRID:
        hits = [("grid_resolved_on_time", on_time)]
        if f.rating:
            hits.append(("grid_satisfaction", f.rating in SATISFIED))
        return hits + [("escalated_share", escalated), ("whistle_rate", whistled)]
    if f.process == WISH:
        return [("wishes_fulfilled", f.status in FULFILLED), ("escalated_share", escalated)]
    if f.process == RESOLUTION:  # closed without ever being escalated past its deadline
        return [("resolutions_on_time", f.status == "closed" and not escalated),
                ("escalated_share", escalated)]
    if f.process == MEETING:
        return [("meetings_held", f.status in ("held", "closed"))]
    return [("one_stop_on_time", on_time)]
