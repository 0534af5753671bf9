"""Process mining of the audit trail with pm4py: how cases actually went, step by step.

The event log is the trail's events of subject "case" (case id, action as the activity, time).
A case belongs to the registry's process whose `cases` entry names the process its
`case.started` event recorded, or, when no such event names one (one-stop applications, grid
issues and micro-wishes open with their own first event), whose `opened_by` names its first
action; "未记录" when neither says. pm4py computes, per process, the directly-follows graph
with its counts and median waits, the start and end activities and the variants (paths).
Only action names, counts and durations leave this module: no actor, no subject, no personal
data.

pm4py (AGPL-3.0) and pandas are imported here only, when the mining page is asked for:
importing pm4py takes about 1.6 s, and nothing else of the API needs it."""

from dataclasses import dataclass

from sqlalchemy import select

from policies.handbook.clauses import ClauseRegistry
from services.platform.db.models import AuditEvent
from services.platform.db.uow import Database

UNRECORDED = "未记录"
# The work layer's case events, shared by every process; each process names its own in the
# registry (policies/handbook/data/clauses.yaml, `cases.activities`).
CASE_ACTIONS_ZH = {
    "case.started": "案件开始", "case.completed": "办结", "case.approved": "批准",
    "case.rejected": "不予批准", "case.joint_review": "联审会",
    "case.extension_requested": "申请延期", "case.extension_approved": "延期获批",
    "case.extension_rejected": "延期被驳回", "case.clock_suspended": "暂停计时（补正）",
    "case.clock_resumed": "恢复计时", "case.migrated": "迁移到新流程版本",
    "case.redriven": "重新驱动",
}
CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"


def activity_names(registry: ClauseRegistry) -> dict[str, str]:
    return CASE_ACTIONS_ZH | registry.activity_names()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    count: int
    median_wait_seconds: float


@dataclass(frozen=True)
class Mining:
    process: str
    cases: int
    activities: dict[str, int]
    edges: list[Edge]  # most frequent first
    variants: list[tuple[tuple[str, ...], int, float]]  # path, cases, share
    starts: dict[str, int]
    ends: dict[str, int]
    positions: dict[str, float]  # each activity's mean index in the cases that reach it

    def longest_waits(self, n: int = 5) -> list[Edge]:
        return sorted(self.edges, key=lambda e: -e.median_wait_seconds)[:n]


def event_log(db: Database, registry: ClauseRegistry) -> list[dict]:
    """One row per case event, in the trail's order, with the process its case belongs to."""
    with db.reading() as uow:
        rows = uow.session.execute(
            select(AuditEvent.subject_id, AuditEvent.action, AuditEvent.at, AuditEvent.after)
            .where(AuditEvent.subject_type == "case").order_by(AuditEvent.seq)).all()
    first_action: dict[str, str] = {}
    started_as: dict[str, str | None] = {}
    for subject, action, _, after in rows:
        first_action.setdefault(subject, action)
        if action == "case.started":
            started_as[subject] = (after or {}).get("process")
    process_of = {case: _process(registry, started_as.get(case), first)
                  for case, first in first_action.items()}
    return [{CASE: subject, ACTIVITY: action, TIME: at, "process": process_of[subject]}
            for subject, action, at, _ in rows]


def _process(registry: ClauseRegistry, started_as: str | None, first_action: str) -> str:
    return registry.process_of_case(started_as, first_action) or started_as or UNRECORDED


def mine(db: Database, registry: ClauseRegistry) -> list[Mining]:
    import pandas as pd

    rows = event_log(db, registry)
    if not rows:
        return []
    log = pd.DataFrame(rows)
    log[TIME] = pd.to_datetime(log[TIME], utc=True)
    return [discover(str(process), events.drop(columns="process"))
            for process, events in sorted(log.groupby("process", sort=False),
                                          key=lambda group: str(group[0]))]


def discover(process: str, log) -> Mining:
    """pm4py's directly-follows graph, its median waits and the variants of one process."""
    import pm4py

    keys = {"activity_key": ACTIVITY, "timestamp_key": TIME, "case_id_key": CASE}
    dfg, starts, ends = pm4py.discover_dfg(log, **keys)
    performance, _, _ = pm4py.discover_performance_dfg(log, **keys)
    edges = sorted((Edge(a, b, int(n), float(performance[(a, b)]["median"]))
                    for (a, b), n in dfg.items()),
                   key=lambda e: (-e.count, e.source, e.target))
    variants = pm4py.get_variants(log, **keys)
    cases = int(log[CASE].nunique())
    ranked = sorted(variants.items(), key=lambda v: (-v[1], v[0]))[:10]
    # Where each activity sits in its cases on average: the graph's columns.
    index = log.groupby(CASE, sort=False).cumcount()
    positions = index.groupby(log[ACTIVITY]).mean()
    return Mining(
        process=process, cases=cases,
        activities={a: int(n) for a, n in log[ACTIVITY].value_counts().items()},
        edges=edges, starts={a: int(n) for a, n in starts.items()},
        ends={a: int(n) for a, n in ends.items()},
        positions={a: float(p) for a, p in positions.items()},
        variants=[(tuple(path), int(n), int(n) / cases) for path, n in ranked])
