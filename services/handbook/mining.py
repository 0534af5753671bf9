"""Process mining of the audit trail: how cases actually went, step by step.

A case's trace is its audit events (subject "case") in order; its process is the one its
`case.started` event recorded, or "未记录" when the event did not say (one-stop cases' start
events carry no process today). From the traces: the directly-follows graph with how often
each step followed another and the median wait between them, the share of cases per path
(variant), and where cases waited longest. Only action names, counts and durations leave
this module: no actor, no subject, no personal data. Computed here rather than with pm4py:
the directly-follows graph and its medians are a few lines over the trail, and pm4py would
bring pandas, numpy and scipy into the API for them."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select

from services.platform.db.models import AuditEvent
from services.platform.db.uow import Database

UNRECORDED = "未记录"
# How an auditor reads the work layer's case events; an action not listed shows its code.
ACTIONS_ZH = {
    "case.started": "案件开始", "case.completed": "办结", "case.rejected": "不予批准",
    "case.joint_review": "联审会", "case.extension_requested": "申请延期",
    "case.extension_approved": "延期获批", "case.extension_rejected": "延期被驳回",
    "case.clock_suspended": "暂停计时（补正）", "case.clock_resumed": "恢复计时",
    "case.migrated": "迁移到新流程版本", "case.redriven": "重新驱动",
}


def action_label(action: str) -> str:
    zh = ACTIONS_ZH.get(action)
    return f"{zh}（{action}）" if zh else action


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


def case_traces(db: Database) -> dict[str, list[list[tuple[str, datetime]]]]:
    """Each case's (action, time) events in order, grouped by the process it started in."""
    with db.reading() as uow:
        rows = uow.session.execute(
            select(AuditEvent.subject_id, AuditEvent.action, AuditEvent.at, AuditEvent.after)
            .where(AuditEvent.subject_type == "case").order_by(AuditEvent.seq)).all()
    traces: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    process_of: dict[str, str] = {}
    for subject, action, at, after in rows:
        traces[subject].append((action, at))
        if action == "case.started":
            process_of[subject] = (after or {}).get("process") or UNRECORDED
    grouped: dict[str, list[list[tuple[str, datetime]]]] = defaultdict(list)
    for subject, trace in traces.items():
        grouped[process_of.get(subject, UNRECORDED)].append(trace)
    return dict(grouped)


def directly_follows(process: str, traces: list[list[tuple[str, datetime]]]) -> Mining:
    activities: Counter[str] = Counter()
    waits: dict[tuple[str, str], list[float]] = defaultdict(list)
    variants: Counter[tuple[str, ...]] = Counter()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    positions: dict[str, list[int]] = defaultdict(list)
    for trace in traces:
        if not trace:
            continue
        actions = tuple(a for a, _ in trace)
        activities.update(actions)
        for index, action in enumerate(actions):
            positions[action].append(index)
        variants[actions] += 1
        starts[actions[0]] += 1
        ends[actions[-1]] += 1
        for (a, t1), (b, t2) in zip(trace, trace[1:], strict=False):
            waits[(a, b)].append((t2 - t1).total_seconds())
    edges = sorted((Edge(a, b, len(w), median(w)) for (a, b), w in waits.items()),
                   key=lambda e: (-e.count, e.source, e.target))
    total = sum(variants.values()) or 1
    return Mining(process=process, cases=len(traces), activities=dict(activities),
                  edges=edges, starts=dict(starts), ends=dict(ends),
                  positions={a: sum(p) / len(p) for a, p in positions.items()},
                  variants=[(path, n, n / total) for path, n in variants.most_common(10)])


def mine(db: Database) -> list[Mining]:
    return [directly_follows(process, traces)
            for process, traces in sorted(case_traces(db).items())]
