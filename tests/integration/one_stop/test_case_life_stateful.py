"""The life of one-stop cases, explored by Hypothesis: applications submitted (complete,
incomplete, decided on the spot; retried with their Idempotency-Key), materials supplied, the
approval flow opening its steps and finishing its cases, officers deciding, stations
confirming, ratings, outbox relay passes — with processes dying before they commit and the
relay dying between sending a message and marking it sent. After every step: each case is in
one status, the one its audit trail says, at one step of its process; no case and no work
item leaves its end; an ended case's applicant is notified once — never twice, and not zero
times once the relay has run; the audit chain verifies.

No Prefect server: the flow is what flows/one_stop/approval_v1.py and approval_v2.py do,
executed with the services their tasks call, and `Orchestrator` stands in for Prefect with the
contract services/platform/orchestration.py relies on. That Prefect keeps that contract is the
e2e tests' part.

`GOVFLOW_CASE_LIFE_PROFILE=deep` explores longer and wider than CI does.
"""

import itertools
import logging
import os
import re
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from flows.one_stop.approval_steps import correction, delivery, department_review
from policies.access import Actor, Role
from policies.decisions import ApprovalDecision, final_status
from policies.one_stop.feedback import ENDED
from policies.work_items import FINAL
from services.one_stop import applications, feedback
from services.one_stop.applications import ApplicationCreate
from services.one_stop.models import Notice, Rating
from services.platform import audit, notifications, reference_data
from services.platform.db import models
from services.platform.db.uow import UnitOfWork
from services.platform.errors import Conflict
from services.platform.orchestration import Delivery
from services.work import cases, outbox, process_versions, work_items
from services.work.models import Case, WorkItem
from tests.conftest import SYSTEM

# Hypothesis switches rules off per example; at first only `submit` can run, and an example
# that has it off is discarded: hence the filtering.
UNHEALTHY = [HealthCheck.too_slow, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=20, stateful_step_count=40, derandomize=True,
                          database=None, deadline=None, suppress_health_check=UNHEALTHY)
settings.register_profile("deep", max_examples=500, stateful_step_count=80, database=None,
                          deadline=None, suppress_health_check=UNHEALTHY)
PROFILE = settings.get_profile(os.environ.get("GOVFLOW_CASE_LIFE_PROFILE", "ci"))

TODAY = date(2026, 5, 11)
STATION = "st-12"
CLERK = Actor(username="clerk-st-12", role=Role.CLERK, station=STATION)
PERSON = {"kind": "person", "name": "王小明", "id_number": "11010519491231002X",
          "phone": "13812345678"}
CASES_IN_FLIGHT = 3  # a few at a time, so that steps go to moving them on
FLOW_STEPS = ("department-review", "correction", "delivery")
STATUS_OF_ACTION = {"application.received": "awaiting_materials",
                    "application.accepted": "in_progress", "case.approved": "approved",
                    "case.rejected": "rejected"}
DECISIONS = {"approve": {"outcome": "approve"},
             "reject": {"outcome": "reject", "reasons": "材料与实际情况不符"},
             "return": {"outcome": "return", "corrections": ["身份证明"]}}
# Which commit of a step the process dies at, if any; shrinks towards not dying.
dying = st.sampled_from([None, None, None, 1])
flow_dying = st.sampled_from([None, None, None, 1, 2, 3])


class Crash(Exception):
    """The process dying at this point."""


@contextmanager
def dying_at_commit(nth: int | None):
    """The nth unit of work to commit from here raises instead, as if the process died just
    before committing: what the unit flushed (the change, its audit event, its outbox
    message) is gone with its transaction. Yields a list that says whether it died."""
    died: list[bool] = []
    if nth is None:
        yield died
        return
    commit, count = UnitOfWork.commit, itertools.count(1)

    def committing(self):
        if next(count) == nth:
            raise Crash(f"died before commit {nth}")
        commit(self)

    UnitOfWork.commit = committing
    try:
        yield died
    except Crash:
        died.append(True)
    finally:
        UnitOfWork.commit = commit


@contextmanager
def relay_dying_after_send():
    """The relay's process dies once, after a message went out and before it was marked."""
    mark_sent = outbox._mark_sent

    def died(*args):
        raise Crash("relay died before marking sent")

    outbox._mark_sent = died
    try:
        yield
    except Crash:
        pass
    finally:
        outbox._mark_sent = mark_sent


@dataclass
class Run:
    id: str
    case_id: int
    runnable: bool = True               # started or resumed: its body is to run
    suspending: str | None = None       # reached a wait, not yet suspended there
    paused_at: str | None = None        # suspended at this key
    inputs: dict[str, dict] = field(default_factory=dict)
    ended: bool = False
    waits_at: "Step | None" = None      # where its body last stopped (None: it finished)
    ran_again: bool = False             # ran its body again there (once is enough)


class Orchestrator:
    """Prefect as services/orchestration.py uses it: a start is idempotent by its key; a
    resume is taken only by a run suspended at that very key, counts as delivered when the run
    already has that input, waits while the run has not got there."""

    def __init__(self):
        self.runs: dict[str, Run] = {}
        self.by_key: dict[str, str] = {}

    def start(self, deployment: str, parameters: dict, idempotency_key: str) -> str:
        if idempotency_key not in self.by_key:
            run = Run(id=str(uuid.uuid4()), case_id=parameters["case_id"])
            self.runs[run.id], self.by_key[idempotency_key] = run, run.id
        return self.by_key[idempotency_key]

    def cancel(self, flow_run_id: str) -> None:
        if flow_run_id in self.runs:
            self.runs[flow_run_id].ended = True

    def resume(self, flow_run_id: str, pause_key: str, run_input: dict) -> Delivery:
        run = self.runs.get(flow_run_id)
        if run is None:  # a run of an earlier example: this server never knew it
            return Delivery.UNDELIVERABLE
        if run.paused_at == pause_key and not run.ended:
            run.inputs[pause_key], run.paused_at, run.runnable = run_input, None, True
            return Delivery.DELIVERED
        if pause_key in run.inputs:
            return Delivery.DELIVERED
        return Delivery.UNDELIVERABLE if run.ended else Delivery.NOT_YET


@dataclass
class Expected:
    status: str
    decision: str | None = None  # the department's approve or reject
    rated: bool = False


@dataclass(frozen=True)
class Step:
    item_id: int
    case_id: int
    step: str
    department: str


class CaseLife(RuleBasedStateMachine):
    db = None             # set by the test: a database of its own
    calendar = None       # set by the test: the working-day calendar
    services = None       # set by the test: the service applied for, by kind of application
    channel = None        # set by the test: the keys the notification channel was given
    audit_checked = None  # set by the test: how far the audit chain has been checked

    def __init__(self):
        super().__init__()
        self.prefect = Orchestrator()
        self.cases: dict[int, Expected] = {}
        self.open_steps: dict[int, Step] = {}  # opened by a flow, not decided yet
        self.ended: dict[int, str] = {}
        self.final_items: dict[int, str] = {}
        self.notified_by_now: set[int] = set()
        self.pending = 0  # outbox messages not marked sent, as of the last step
        self.outbox_before = 0  # the last outbox message before this example

    @initialize(version=st.sampled_from([1, 2]))
    def publish(self, version):
        """New cases start on approval v1 (no delivery step) or v2 (delivery confirmed).
        What earlier examples left in the outbox is delivered first (to a server that never
        knew their runs), so that every example starts from the same place."""
        outbox.deliver_pending(self.db, Orchestrator(), limit=100_000)
        process_versions.publish(self.db, SYSTEM, "approval", version)
        with self.db.reading() as uow:
            self.outbox_before = uow.session.scalar(select(
                func.coalesce(func.max(models.OutboxMessage.id), 0)))

    # -- the counter ---------------------------------------------------------------------------

    @precondition(lambda self: len(self.cases) - len(self._cases_in(*ENDED)) < CASES_IN_FLIGHT)
    @rule(kind=st.sampled_from(["complete", "incomplete", "on_the_spot", "on_the_spot_later"]),
          with_key=st.booleans(), retried=st.booleans(), dies=dying)
    def submit(self, kind, with_key, retried, dies):
        service = self.services[kind]
        materials = [m["code"] for m in service.materials]
        data = ApplicationCreate(service=service.code, station=STATION, applicant=PERSON,
                                 materials=materials if kind in ("complete", "on_the_spot")
                                 else materials[:1])
        key = f"idem-{uuid.uuid4().hex}" if with_key else None
        before, answer = self.snapshot(dies is not None), None
        with dying_at_commit(dies) as died:
            answer = applications.submit(self.db, self.calendar, CLERK, data, TODAY, key)
        if died:
            assert self.snapshot() == before
        if retried and key:  # the counter did not hear the answer and sends the request again
            again = applications.submit(self.db, self.calendar, CLERK, data, TODAY, key)
            assert answer is None or (again.id, again.receipt_no) == (answer.id,
                                                                      answer.receipt_no)
            answer = again
        if answer is None:
            return
        expected = {"complete": "in_progress", "on_the_spot": "approved"}.get(
            kind, "awaiting_materials")
        assert answer.status == expected
        self.cases[answer.id] = Expected(status=expected)

    @precondition(lambda self: self._cases_in("awaiting_materials"))
    @rule(data=st.data(), dies=dying)
    def supply(self, data, dies):
        case_id = data.draw(st.sampled_from(self._cases_in("awaiting_materials")))
        before = self.snapshot(dies is not None)
        with dying_at_commit(dies) as died:
            answer = applications.supply(self.db, self.calendar, CLERK, case_id,
                                         self._missing(case_id), TODAY)
        if died:
            assert self.snapshot() == before
            return
        assert answer.status in ("in_progress", "approved") and answer.missing == []
        self.cases[case_id].status = answer.status

    @precondition(lambda self: self._unrated_ended_cases())
    @rule(data=st.data(), grade=st.integers(1, 5), dies=dying)
    def rate(self, data, grade, dies):
        """The applicant rates an ended case (好差评) once; a second rating is refused."""
        case_id = data.draw(st.sampled_from(self._unrated_ended_cases()))
        rating = feedback.RatingCreate(grade=grade)
        before = self.snapshot(dies is not None)
        with dying_at_commit(dies) as died:
            feedback.rate(self.db, self.calendar, CLERK, case_id, rating, TODAY)
        if died:
            assert self.snapshot() == before
            return
        self.cases[case_id].rated = True
        with pytest.raises(Conflict):
            feedback.rate(self.db, self.calendar, CLERK, case_id, rating, TODAY)

    # -- people deciding -----------------------------------------------------------------------

    @precondition(lambda self: self.open_steps)
    @rule(data=st.data(), outcome=st.sampled_from(["approve", "reject", "return"]), dies=dying)
    def someone_decides(self, data, outcome, dies):
        """The department decides its review (approve, reject, return for correction); the
        station confirms a correction done, or the result delivered."""
        step = data.draw(st.sampled_from(sorted(self.open_steps.values(),
                                                key=lambda s: s.item_id)))
        if step.step == "department-review":
            actor = Actor(username=f"officer-{step.department}", role=Role.OFFICER,
                          department=step.department)
            payload = DECISIONS[outcome]
        else:
            actor = CLERK
            payload = {"supplied": ["身份证明"]} if step.step == "correction" else {
                "method": "counter"}
        before = self.snapshot(dies is not None)
        with dying_at_commit(dies) as died:
            work_items.decide(self.db, self.calendar, actor, step.item_id, payload, TODAY)
        if died:
            assert self.snapshot() == before
            return
        del self.open_steps[step.item_id]
        if step.step == "department-review" and outcome != "return":
            self.cases[step.case_id].decision = outcome

    # -- the flow and the relay ----------------------------------------------------------------

    @precondition(lambda self: self._runs())
    @rule(data=st.data(), dies=flow_dying)
    def flow_moves_on(self, data, dies):
        """A started or resumed run executes its body up to its next wait (or to the end); a
        run that got to a wait suspends there (a decision may have come in between). A task
        that failed is retried: the body runs again."""
        run = data.draw(st.sampled_from(self._runs()))
        if run.suspending:
            run.paused_at, run.suspending = run.suspending, None
            return
        with dying_at_commit(dies) as died:
            waits_at = self._approval_body(run)
        self._forget_steps_of(run.case_id)
        if died:
            self.open_steps |= {s.item_id: s for s in self._steps_in_db(run.case_id)}
            return
        run.runnable, run.waits_at, run.ran_again = False, waits_at, False
        if waits_at is not None:
            self.open_steps[waits_at.item_id] = waits_at
            run.suspending = work_items.pause_key(waits_at.item_id)
            return
        run.ended = True
        expected = self.cases[run.case_id]
        expected.status = {"approve": "approved", "reject": "rejected"}[expected.decision]

    @precondition(lambda self: self._runs_done_for_now())
    @rule(data=st.data())
    def a_run_runs_its_body_again(self, data):
        """A run that finished its case, or waits at a step nobody has decided, runs its body
        again — it died before Prefect recorded what it did, or the reconciler re-drives it:
        it comes to the same place and changes nothing on the way."""
        run = data.draw(st.sampled_from(self._runs_done_for_now()))
        before = self.snapshot()
        assert self._approval_body(run) == run.waits_at
        assert self.snapshot() == before
        run.ran_again = True

    @precondition(lambda self: self.pending)
    @rule(dies_after_sending=st.sampled_from([False, False, True]))
    def relay_passes(self, dies_after_sending):
        """The relay delivers what is pending; or its process dies once a message has gone
        out and before the message was marked sent."""
        if dies_after_sending:
            with relay_dying_after_send():
                outbox.deliver_pending(self.db, self.prefect)
            return
        ended_before, pending = set(self._cases_in(*ENDED)), self.pending
        outbox.deliver_pending(self.db, self.prefect)
        if pending <= 50:  # a pass takes 50 messages at most
            self.notified_by_now |= ended_before
            for case_id in ended_before:  # the applicant has been told how it ended, once
                told = notifications.delivered_for(self.db, case_id)
                assert [(t.recipient[:10], t.subject[:5]) for t in told] == [
                    ("applicant:", "办理结果：")], (case_id, told)

    def _approval_body(self, run: Run) -> Step | None:
        """What one execution of flows/one_stop/approval_v{1,2}.approval does, through the
        services its tasks call: the step it waits at, or None once it has finished the case."""
        case = cases.facts(self.db, run.case_id)

        def wait_for(spec) -> tuple[dict | None, Step]:
            item = work_items.open_item(self.db, spec.model_copy(
                update={"flow_run_id": run.id}))
            return item.decision, Step(item.id, case.id, item.step, case.department)

        for attempt in itertools.count(1):
            decided, step = wait_for(department_review(case, attempt))
            if decided is None:
                return step
            decision = ApprovalDecision.model_validate(decided)
            if decision.outcome != "return":
                break
            decided, step = wait_for(correction(case, attempt, decision))
            if decided is None:
                return step
        if self._version(run.case_id) == 2 and decision.outcome == "approve":
            decided, step = wait_for(delivery(case))
            if decided is None:
                return step
        cases.finish(self.db, run.case_id, final_status(decision),
                     decision.model_dump(mode="json"), TODAY)
        return None

    # -- what must always hold -----------------------------------------------------------------

    @invariant()
    def each_case_is_in_one_status_its_audit_trail_agrees_with(self):
        with self.db.reading() as uow:
            statuses = dict(uow.session.execute(select(Case.id, Case.status)
                                                .where(Case.id.in_(self.cases))).all())
            said = dict(uow.session.execute(select(  # the last event of each case wins
                models.AuditEvent.subject_id, models.AuditEvent.action).where(
                models.AuditEvent.subject_type == "case",
                models.AuditEvent.subject_id.in_([str(c) for c in self.cases]),
                models.AuditEvent.action.in_(STATUS_OF_ACTION)).order_by(
                models.AuditEvent.seq)).all())
        for case_id, expected in self.cases.items():
            assert statuses[case_id] == expected.status, (case_id, statuses[case_id], expected)
            assert STATUS_OF_ACTION[said[str(case_id)]] == expected.status, case_id
        steps = self._steps_in_db(*self.cases)
        assert {s.item_id: s for s in steps} == self.open_steps
        assert len({s.case_id for s in steps}) == len(steps), "a case at two steps at once"
        assert not {s.case_id for s in steps} & set(self._cases_in(*ENDED))

    @invariant()
    def no_case_and_no_work_item_leaves_its_end(self):
        with self.db.reading() as uow:
            cases_now = uow.session.execute(select(Case.id, Case.status).where(
                Case.id.in_(self.cases))).all()
            items_now = uow.session.execute(select(WorkItem.id, WorkItem.status)
                                            .where(WorkItem.case_id.in_(self.cases)))
            for ended, now in ((self.ended, cases_now), (self.final_items, items_now)):
                for id_, status in now:
                    assert ended.get(id_, status) == status, (id_, ended[id_], status)
                    if status in ENDED or status in FINAL:
                        ended[id_] = status

    @invariant()
    def an_ended_case_is_notified_once_and_never_twice(self):
        with self.db.reading() as uow:
            counted = dict(uow.session.execute(select(
                models.DeliveredNotification.case_id, func.count()).where(
                models.DeliveredNotification.case_id.in_(self.cases)).group_by(
                models.DeliveredNotification.case_id)).all())
            self.pending = uow.session.scalar(select(func.count()).select_from(
                models.OutboxMessage).where(models.OutboxMessage.sent_at.is_(None)))
            written = Counter(m.payload.get("case_id") for m in uow.session.scalars(select(
                models.OutboxMessage).where(models.OutboxMessage.kind == outbox.NOTIFY,
                                            models.OutboxMessage.id > self.outbox_before)))
        assert set(counted) <= set(self._cases_in(*ENDED)), "notified before the end"
        for case_id in self.cases:
            assert written[case_id] == (case_id in self._cases_in(*ENDED)), (
                case_id, written[case_id], self.cases[case_id])
        for case_id in self._cases_in(*ENDED):
            assert counted.get(case_id, 0) == 1 if case_id in self.notified_by_now else \
                counted.get(case_id, 0) <= 1, (case_id, counted.get(case_id))
        sent = self.channel()
        assert len(sent) == len(set(sent)), "the channel was given a notification twice"

    @invariant()
    def the_audit_chain_verifies(self):
        """Each event appended since the last step chains onto the one before it, with no gap
        (the test verifies the whole chain with audit.verify at the end)."""
        checked = self.audit_checked
        with self.db.reading() as uow:
            for event in uow.session.scalars(select(models.AuditEvent).where(
                    models.AuditEvent.seq > checked["seq"]).order_by(models.AuditEvent.seq)):
                assert (event.seq, event.prev_hash) == (checked["seq"] + 1, checked["hash"])
                assert audit.chain_hash(event) == event.hash, event.seq
                checked.update(seq=event.seq, hash=event.hash)

    # -- the model and the database ------------------------------------------------------------

    def snapshot(self, wanted: bool = True) -> tuple | None:
        """Everything a step could change: a step that died, or that must change nothing,
        leaves it as it was. (Not read when not `wanted`: the step is not to die.)"""
        if not wanted:
            return None
        with self.db.reading() as uow:
            last = [uow.session.scalar(select(func.max(column))) for column in (
                Case.id, WorkItem.id, models.AuditEvent.seq,
                models.OutboxMessage.id, Notice.id)]
            ours = [uow.session.execute(select(*columns).where(case_id.in_(self.cases))
                                        .order_by(*columns)).all() for case_id, columns in (
                (Case.id, (Case.id, Case.status)),
                (WorkItem.case_id, (WorkItem.id, WorkItem.status)),
                (Rating.case_id, (Rating.case_id,)),
                (models.IdempotencyKey.case_id, (models.IdempotencyKey.key,)))]
        return last, ours

    def _steps_in_db(self, *case_ids: int) -> list[Step]:
        with self.db.reading() as uow:
            rows = uow.session.execute(select(
                WorkItem.id, WorkItem.case_id, WorkItem.step,
                Case.department_code).join(
                Case, Case.id == WorkItem.case_id).where(
                WorkItem.case_id.in_(case_ids), WorkItem.step.in_(FLOW_STEPS),
                WorkItem.status.not_in([s.value for s in FINAL]))).all()
        return [Step(*row) for row in rows]

    def _forget_steps_of(self, case_id: int) -> None:
        self.open_steps = {i: s for i, s in self.open_steps.items() if s.case_id != case_id}

    def _cases_in(self, *statuses) -> list[int]:
        return sorted(c for c, e in self.cases.items() if e.status in statuses)

    def _unrated_ended_cases(self) -> list[int]:
        return [c for c in self._cases_in(*ENDED) if not self.cases[c].rated]

    def _runs(self) -> list[Run]:
        return sorted((r for r in self.prefect.runs.values() if r.case_id in self.cases
                       and not r.ended and (r.runnable or r.suspending)),
                      key=lambda r: r.case_id)

    def _runs_done_for_now(self) -> list[Run]:
        return sorted((r for r in self.prefect.runs.values() if r.case_id in self.cases
                       and not r.runnable and not r.ran_again
                       and (r.ended or r.waits_at.item_id in self.open_steps)),
                      key=lambda r: r.case_id)

    def _missing(self, case_id: int) -> list[str]:
        with self.db.reading() as uow:
            return uow.session.get(Case, case_id).details["missing"]

    def _version(self, case_id: int) -> int:
        with self.db.reading() as uow:
            return uow.session.get(Case, case_id).process_version


def intake_services(db) -> dict[str, models.Service]:
    with db.reading() as uow:
        found = [s for s in uow.session.scalars(select(models.Service).where(
            models.Service.delegated.is_(True)).order_by(models.Service.code))
            if "person" in s.applicant_kinds and len(s.materials) >= 2]
    decided_later = next(s for s in found if not s.on_the_spot)
    on_the_spot = next(s for s in found if s.on_the_spot)
    return {"complete": decided_later, "incomplete": decided_later,
            "on_the_spot": on_the_spot, "on_the_spot_later": on_the_spot}


def test_cases_live_through_crashes_and_redeliveries(fresh_db, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="govflow.notifications")
    # The model has no clock: a refused message is due again at the relay's next pass (the
    # back-off's waiting is tested on its own, in test_outbox_faults).
    monkeypatch.setattr(outbox, "backoff", lambda attempts: timedelta(0))
    reference_data.load_reference(fresh_db, reference_data.read_reference(), SYSTEM)

    def channel() -> list[str]:
        return [re.search(r"\[([^]]+)\]$", r.getMessage())[1] for r in caplog.records
                if r.name == "govflow.notifications"]

    machine = type("CaseLifeHere", (CaseLife,), {
        "db": fresh_db, "calendar": reference_data.read_calendar(),
        "services": intake_services(fresh_db),
        "channel": staticmethod(channel), "audit_checked": {"seq": 0, "hash": audit.GENESIS_HASH}})
    run_state_machine_as_test(machine, settings=PROFILE)

    with fresh_db.reading() as uow:
        report = audit.verify(uow.session)
    assert report.intact and report.checked == machine.audit_checked["seq"], report
