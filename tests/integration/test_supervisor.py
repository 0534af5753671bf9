"""`govflow up` never gives up on a process for good, and never restarts one in a tight loop:
a process that dies is started again at once, then with growing pauses; one that keeps dying
is reported failing (in the log and on /readyz) and still started again later."""

import sys
import time

import pytest

from api.supervisor import RESTART_WINDOW, Stack, restart_delay
from services.platform import readiness
from services.platform.settings import Settings

CRASHING = [sys.executable, "-c", "raise SystemExit(3)"]


def test_restarts_come_at_once_then_after_1_2_4_and_8_seconds():
    restarts, delays = [], []
    for _ in range(5):
        delays.append(restart_delay(restarts, now=100.0))
        restarts.append(100.0)
    assert delays == [0.0, 1.0, 2.0, 4.0, 8.0]


def test_past_five_restarts_in_five_minutes_the_next_waits_for_the_oldest_to_leave_the_window():
    restarts = [0.0, 10.0, 20.0, 30.0, 40.0]
    assert restart_delay(restarts, now=50.0) == pytest.approx(RESTART_WINDOW - 50.0)
    assert restart_delay(restarts, now=RESTART_WINDOW + 5.0) == 8.0  # four left in the window


@pytest.fixture
def stack(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stack = Stack(Settings())
    yield stack
    stack.stop()


def dead(stack: Stack) -> None:
    for child in stack.children:
        child.process.wait(timeout=30)


def test_a_worker_that_keeps_dying_is_reported_failing_and_still_started_again(stack):
    notices = []
    stack.start("worker", CRASHING, {})
    now = time.monotonic()
    for _ in range(5):  # it dies, and is started again each time its pause is over
        dead(stack)
        stack.tend(now, notices.append)
        now = stack.children[0].restart_at or now
        stack.tend(now, notices.append)
    dead(stack)
    stack.tend(now, notices.append)

    assert len(stack.children[0].restarts) == 5
    assert "FAILING: restarted 5 times in 5 minutes" in notices[-1]
    report = readiness._processes(stack.status_file)
    assert (report.ok, report.detail) == (False, "worker restarted 5 times in 5 minutes "
                                                 "(last exit 3)")

    stack.tend(now + RESTART_WINDOW, notices.append)  # the oldest restart has left the window
    assert len(stack.children[0].restarts) == 6  # started again: not given up on


def test_a_fresh_stack_reports_its_processes_sound(stack):
    stack.start("api", [sys.executable, "-c", "import time; time.sleep(30)"], {})
    report = readiness._processes(stack.status_file)
    assert (report.ok, report.detail) == (True, "ok")
