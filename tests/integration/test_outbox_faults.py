"""The outbox relay dying half-way: a notification it already sent is delivered again when the
relay comes back, and applied once (the consumer records each notification's key). And the
other ways a message could go out twice: two runs ending one case at the same moment, and two
workers' relays sharing one outbox."""

import logging
import re
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from policies.access import Actor, Role
from services.one_stop import applications
from services.one_stop.applications import ApplicationCreate
from services.platform import audit, notifications, reference_data
from services.platform.db import models
from services.platform.orchestration import Delivery, Prefect
from services.work import cases, outbox
from services.work.models import Case
from tests.conftest import SYSTEM

TODAY = date(2026, 5, 11)
CLERK = Actor(username="clerk-st-12", role=Role.CLERK, station="st-12")
PERSON = {"kind": "person", "name": "王小明", "id_number": "11010519491231002X",
          "phone": "13812345678"}
NO_PREFECT = Prefect("http://127.0.0.1:9/api")  # notifications never reach Prefect


class RelayDied(Exception):
    """The relay's process ending at this point."""


@pytest.fixture
def loaded_db(fresh_db):
    """A database of its own: the relay here sees only this test's messages."""
    reference_data.load_reference(fresh_db, reference_data.read_reference(), SYSTEM)
    return fresh_db


@pytest.fixture
def channel(caplog):
    """What the channel was given: the keys of the notifications it logged, in order."""
    caplog.set_level(logging.INFO, logger="govflow.notifications")
    return lambda: [re.search(r"\[([^]]+)\]$", r.getMessage())[1] for r in caplog.records
                    if r.name == "govflow.notifications"]


def decided_on_the_spot(db) -> int:
    with db.reading() as uow:
        service = uow.session.scalars(select(models.Service).where(
            models.Service.on_the_spot.is_(True)).order_by(models.Service.code)).first()
    answer = applications.submit(db, reference_data.read_calendar(), CLERK, ApplicationCreate(
        service=service.code, station="st-12", applicant=PERSON,
        materials=[m["code"] for m in service.materials]), TODAY)
    assert answer.status == "approved"
    return answer.id


def pending(db) -> list[models.OutboxMessage]:
    with db.reading() as uow:
        return list(uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.sent_at.is_(None))))


def die_once_when_marking_sent(monkeypatch) -> None:
    mark_sent, died = outbox._mark_sent, []

    def dying(*args):
        if not died:
            died.append(True)
            raise RelayDied
        mark_sent(*args)

    monkeypatch.setattr(outbox, "_mark_sent", dying)


def test_a_notification_sent_before_the_relay_died_is_delivered_again_and_applied_once(
        loaded_db, channel, monkeypatch):
    case_id = decided_on_the_spot(loaded_db)
    die_once_when_marking_sent(monkeypatch)

    with pytest.raises(RelayDied):
        outbox.deliver_pending(loaded_db, NO_PREFECT)
    [unmarked] = pending(loaded_db)
    assert channel() == [unmarked.payload["key"]]  # the applicant was told, once

    assert outbox.deliver_pending(loaded_db, NO_PREFECT) == 1  # the relay back: sent again
    assert pending(loaded_db) == []
    assert channel() == [unmarked.payload["key"]]  # ...and recognised: not told twice
    [delivered] = notifications.delivered_for(loaded_db, case_id)
    assert (delivered.key, delivered.recipient) == (unmarked.payload["key"],
                                                    unmarked.payload["to"])


def test_two_notifications_with_the_same_words_are_both_delivered(loaded_db, channel):
    case_id = decided_on_the_spot(loaded_db)
    outbox.deliver_pending(loaded_db, NO_PREFECT)
    for _ in range(2):  # e.g. urged twice with the same message
        with loaded_db.writing() as uow:
            outbox.notify(uow.session, case_id=case_id, to="department:health",
                          subject="催办: 审批", body="请尽快办理")
            uow.commit()

    assert outbox.deliver_pending(loaded_db, NO_PREFECT) == 2
    assert len(notifications.delivered_for(loaded_db, case_id)) == 3
    assert len(set(channel())) == len(channel()) == 3


def test_a_second_relay_delivering_the_same_message_at_once_sends_nothing(fresh_db, channel):
    message = {"to": "applicant:st-12-20260511-0001", "subject": "办理结果", "body": "已办结"}
    answers = []
    with fresh_db.writing() as first:  # the first relay has taken the key, not yet committed
        first.session.add(models.DeliveredNotification(
            key="notify-same", recipient=message["to"], subject=message["subject"],
            delivered_at=datetime.now(UTC)))
        first.session.flush()
        second = threading.Thread(target=lambda: answers.append(
            notifications.deliver(fresh_db, "notify-same", message)))
        second.start()
        time.sleep(0.3)  # the second relay is now waiting on the key (or the write lock)
        assert answers == []
        first.commit()
    second.join(timeout=30)

    assert answers == [False]
    assert channel() == []


def test_a_failing_channel_records_nothing_and_the_relay_tries_again(
        loaded_db, channel, monkeypatch):
    case_id = decided_on_the_spot(loaded_db)
    send = notifications.send

    def unreachable(message, key=None):
        raise ConnectionError("SMS gateway unreachable")

    monkeypatch.setattr(notifications, "send", unreachable)
    with pytest.raises(ConnectionError):
        outbox.deliver_pending(loaded_db, NO_PREFECT)
    assert notifications.delivered_for(loaded_db, case_id) == []
    assert len(pending(loaded_db)) == 1

    monkeypatch.setattr(notifications, "send", send)
    assert outbox.deliver_pending(loaded_db, NO_PREFECT) == 1
    assert len(notifications.delivered_for(loaded_db, case_id)) == 1
    assert len(channel()) == 1


def test_a_message_written_without_a_key_is_known_by_its_row(fresh_db, channel, monkeypatch):
    with fresh_db.writing() as uow:  # as messages were written before they carried keys
        outbox.add(uow.session, outbox.NOTIFY, {"to": "department:health", "subject": "催办",
                                                "body": "请尽快办理"})
        uow.commit()
    die_once_when_marking_sent(monkeypatch)

    with pytest.raises(RelayDied):
        outbox.deliver_pending(fresh_db, NO_PREFECT)
    assert outbox.deliver_pending(fresh_db, NO_PREFECT) == 1
    [message] = channel()
    assert message.startswith("outbox-")


def test_dying_after_the_channel_took_it_before_the_record_sends_it_again_under_one_key(
        loaded_db, channel, monkeypatch):
    """The window a channel without transactions leaves: sent again, never lost, and with the
    same key both times, for a channel that deduplicates by it."""
    case_id = decided_on_the_spot(loaded_db)
    send = notifications.send

    def sent_then_died(message, key=None):
        send(message, key)
        raise RelayDied

    monkeypatch.setattr(notifications, "send", sent_then_died)
    with pytest.raises(RelayDied):
        outbox.deliver_pending(loaded_db, NO_PREFECT)
    assert notifications.delivered_for(loaded_db, case_id) == []

    monkeypatch.setattr(notifications, "send", send)
    assert outbox.deliver_pending(loaded_db, NO_PREFECT) == 1
    assert len(notifications.delivered_for(loaded_db, case_id)) == 1
    assert len(channel()) == 2 and len(set(channel())) == 1


def in_progress_application(db) -> int:
    with db.reading() as uow:
        service = uow.session.scalars(select(models.Service).where(
            models.Service.on_the_spot.is_(False)).order_by(models.Service.code)).first()
    answer = applications.submit(db, reference_data.read_calendar(), CLERK, ApplicationCreate(
        service=service.code, station="st-12", applicant=PERSON,
        materials=[m["code"] for m in service.materials]), TODAY)
    assert answer.status == "in_progress"
    return answer.id


def test_two_runs_finishing_one_case_at_once_end_it_and_notify_once(loaded_db):
    """A re-driven run and the run it replaced (still in its last task) both finish the case."""
    case_id = in_progress_application(loaded_db)
    outcome = {"outcome": "approve", "reasons": None, "corrections": []}
    with loaded_db.writing() as holder:  # someone holds the case: both runs queue behind it
        holder.session.get(Case, case_id, with_for_update=True)
        runs = [threading.Thread(target=cases.finish, args=(
            loaded_db, case_id, "approved", outcome, TODAY)) for _ in range(2)]
        for run in runs:
            run.start()
        time.sleep(0.5)
        holder.commit()
    for run in runs:
        run.join(timeout=30)

    with loaded_db.reading() as uow:
        ends = uow.session.scalars(audit.query(subject_type="case", subject_id=str(case_id),
                                               action="case.approved")).all()
        written = [m for m in uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.kind == outbox.NOTIFY)) if m.payload["case_id"] == case_id]
    assert (len(ends), len(written)) == (1, 1)


class CountingPrefect:
    """Prefect as the relays see it, counting every resume it is sent (by pause key)."""

    def __init__(self):
        self.resumed: list[str] = []
        self.lock = threading.Lock()

    def resume(self, flow_run_id: str, pause_key: str, run_input: dict) -> Delivery:
        time.sleep(0.005)  # a call's round trip, so that the relays' passes overlap
        with self.lock:
            self.resumed.append(pause_key)
        return Delivery.DELIVERED


def decisions_waiting(db, count: int) -> list[str]:
    keys = [f"department-review-{n}" for n in range(count)]
    with db.writing() as uow:
        for n, key in enumerate(keys):
            outbox.add(uow.session, outbox.RESUME, {"flow_run_id": f"run-{n}", "pause_key": key,
                                                    "run_input": {"outcome": "approve"}})
        uow.commit()
    return keys


def test_two_workers_relaying_one_outbox_send_each_message_once(fresh_db):
    keys, prefect = decisions_waiting(fresh_db, 60), CountingPrefect()

    def relay_until_empty(name: str) -> None:
        while pending(fresh_db):
            outbox.deliver_pending(fresh_db, prefect, limit=5, relay=name)

    workers = [threading.Thread(target=relay_until_empty, args=(name,))
               for name in ("worker-a", "worker-b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert sorted(prefect.resumed) == sorted(keys)  # every decision reached its run, once
    assert {deliveries for _, deliveries in sent_by_relay(fresh_db)} == {1}  # marked sent once


def test_what_a_dead_relay_claimed_is_sent_by_another_once_its_lease_ends(
        fresh_db, monkeypatch):
    [key], prefect = decisions_waiting(fresh_db, 1), CountingPrefect()
    monkeypatch.setattr(outbox, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(outbox, "_deliver",
                        lambda *args, **kwargs: (_ for _ in ()).throw(RelayDied))
    with pytest.raises(RelayDied):  # worker-a took the message, then its process died
        outbox.deliver_pending(fresh_db, prefect, relay="worker-a")
    monkeypatch.undo()
    monkeypatch.setattr(outbox, "LEASE", timedelta(seconds=1))

    assert outbox.deliver_pending(fresh_db, prefect, relay="worker-b") == 0  # still worker-a's
    time.sleep(1.1)
    assert outbox.deliver_pending(fresh_db, prefect, relay="worker-b") == 1
    assert prefect.resumed == [key]
    assert sent_by_relay(fresh_db) == [("worker-b", 1)]


def test_a_sent_message_names_the_machine_whose_relay_sent_it(fresh_db):
    decisions_waiting(fresh_db, 1)
    workers_relay = outbox.relay_name("worker-haicang-2")  # as flows/worker.py names it
    assert outbox.deliver_pending(fresh_db, CountingPrefect(), relay=workers_relay) == 1
    [(relay, _)] = sent_by_relay(fresh_db)
    assert relay.startswith("worker-haicang-2-")  # then the process: one machine runs several


def sent_by_relay(db) -> list[tuple[str, int]]:
    """Each sent message's relay and how many times it was marked sent."""
    with db.reading() as uow:
        rows = uow.session.scalars(select(models.OutboxMessage).where(
            models.OutboxMessage.sent_at.is_not(None)).order_by(models.OutboxMessage.id))
        return [(r.sent_by, r.deliveries) for r in rows]


class PausingLate:
    """Prefect whose run pauses only after its third resume attempt (the case's decision came
    before the run reached the step)."""

    def __init__(self):
        self.attempts: list[float] = []

    def resume(self, flow_run_id: str, pause_key: str, run_input: dict) -> Delivery:
        self.attempts.append(time.monotonic())
        return Delivery.NOT_YET if len(self.attempts) < 4 else Delivery.DELIVERED


def test_a_resume_refused_until_its_run_pauses_waits_longer_each_time(fresh_db):
    decisions_waiting(fresh_db, 1)
    prefect = PausingLate()
    stop = threading.Event()
    relay = threading.Thread(target=outbox.relay, args=(fresh_db, prefect, stop, 0.01))
    relay.start()
    try:
        wait = time.monotonic() + 10
        while pending(fresh_db) and time.monotonic() < wait:
            time.sleep(0.05)
    finally:
        stop.set()
        relay.join(timeout=30)

    assert not pending(fresh_db)  # delivered once the run had paused
    gaps = [b - a for a, b in zip(prefect.attempts, prefect.attempts[1:], strict=False)]
    # A relay passing every 0.01 s asked four times in all, each time after a longer wait
    # (0.1 s, 0.2 s, 0.4 s), not on every pass.
    assert len(prefect.attempts) == 4
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2 and gaps[2] >= 0.4
    with fresh_db.reading() as uow:
        message = uow.session.scalars(select(models.OutboxMessage)).one()
    assert (message.attempts, message.last_error) == (4, None)
