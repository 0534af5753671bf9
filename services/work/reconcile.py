"""The reconciler: every case in progress must have a live flow run; re-drive those that don't.

Cases in progress are those people started (an application) and those a schedule started (a
joint meeting, a red forum, a volunteer plan, an assessment): these say in their details how to
start their run again (`outbox.rerun`) and are live until they are finished (`finished_on`),
whatever their process calls their status meanwhile (convened, held, reviewing, …).

A worker killed mid-run leaves its run Running for good, or Paused without the form its
input needs (killed while suspending: it refuses every decision); a run can crash, be lost
with Prefect's database, or end without finishing its case. The business database knows which
cases are in progress, so it is the reference: for each, the reconciler asks Prefect about
the case's run and, where the run is missing, ended or stuck, starts a new run through the
outbox. The new run replays what people already decided (flows/engine/human_tasks.py) and waits
where they have not, so nothing is decided twice and every side effect stays single:
finishing a case is a no-op the second time, and notifications are deduplicated.

Run by `govflow reconcile` and by the `reconcile` deployment every few minutes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import or_, select

from policies.access import Actor
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.orchestration import ENDED_STATES, Prefect, RunState
from services.work import outbox
from services.work.models import Case

IN_PROGRESS = "in_progress"

Problem = Literal["no run", "run unknown to Prefect", "run ended", "run stuck",
                  "decision not taken by its run"]


@dataclass(frozen=True)
class Finding:
    case_id: int
    flow_run_id: str | None
    problem: Problem
    state: str | None = None


def find(db: Database, prefect: Prefect, stuck_after: timedelta,
         now: datetime | None = None) -> list[Finding]:
    """The cases in progress whose run is missing, ended, stuck, or not taking a decision."""
    now = now or datetime.now(UTC)
    with db.reading() as uow:
        cases = [c for c in uow.session.execute(
            select(Case.id, Case.flow_run_id, Case.status, Case.details, Case.finished_on)
            .where(or_(Case.status == IN_PROGRESS, Case.finished_on.is_(None)))
            .order_by(Case.id)) if live(c)]
        starting = _cases_being_started(uow.session)
        refused = _runs_refusing_decisions(uow.session, now - stuck_after)
    cases = [c for c in cases if c.id not in starting]  # the relay has yet to start these
    states = prefect.run_states([c.flow_run_id for c in cases if c.flow_run_id])
    findings = [_judge(c.id, c.flow_run_id, states, refused, now - stuck_after) for c in cases]
    return [f for f in findings if f]


def redrive(db: Database, actor: Actor, findings: list[Finding]) -> list[int]:
    """Start a new run for each finding's case (stopping the old run), audited; a case that
    moved on since it was found is left alone."""
    return [f.case_id for f in findings if db.run(lambda uow, f=f: _redrive(uow, actor, f))]


def _judge(case_id: int, run_id: str | None, states: dict[str, RunState], refused: set[str],
           stuck_before: datetime) -> Finding | None:
    if run_id is None:
        return Finding(case_id, None, "no run")
    state = states.get(run_id)
    if state is None:
        return Finding(case_id, run_id, "run unknown to Prefect")
    if state.type in ENDED_STATES:
        return Finding(case_id, run_id, "run ended", state.type)
    if state.type in ("RUNNING", "PENDING") and state.since < stuck_before:
        return Finding(case_id, run_id, "run stuck", state.type)
    if run_id in refused:
        return Finding(case_id, run_id, "decision not taken by its run", state.type)
    return None  # scheduled, paused for people, or busy right now


def live(case) -> bool:
    """A case whose run must be alive: in progress, or restartable and not finished."""
    return case.status == IN_PROGRESS or bool(
        (case.details or {}).get("rerun") and case.finished_on is None)


def _redrive(uow, actor: Actor, finding: Finding) -> bool:
    case = uow.session.get(Case, finding.case_id)
    if not live(case) or case.flow_run_id != finding.flow_run_id:
        return False
    audit.record(uow.session, actor, action="case.redriven", subject_type="case",
                 subject_id=case.id, before={"flow_run_id": case.flow_run_id},
                 note=f"{finding.problem}" + (f" ({finding.state})" if finding.state else ""))
    outbox.start_run(uow.session, case, "reconcile", replacing=case.flow_run_id)
    uow.commit()
    return True


def _runs_refusing_decisions(session, sent_before: datetime) -> set[str]:
    """Runs that have not taken a decision sent to them this long ago: a run killed while
    suspending can be Paused without the form its input needs, and refuses every resume."""
    pending = session.scalars(select(models.OutboxMessage.payload).where(
        models.OutboxMessage.sent_at.is_(None), models.OutboxMessage.kind == outbox.RESUME,
        models.OutboxMessage.created_at < sent_before))
    return {p["flow_run_id"] for p in pending}


def _cases_being_started(session) -> set[int]:
    pending = session.scalars(select(models.OutboxMessage.payload).where(
        models.OutboxMessage.sent_at.is_(None),
        models.OutboxMessage.kind.in_([outbox.START, outbox.RESTART])))
    return {outbox.case_of(p) for p in pending}
