"""Process mining of the audit trail on a real database: the directly-follows graph, its
counts and median waits, the share of each path; no names leave it."""

from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from policies.access import Actor, Role
from services.handbook.mining import UNRECORDED, mine
from services.handbook.registry import clause_registry
from services.handbook.site import mining_page, wait
from services.platform import audit

CLERK = Actor(username="clerk-st-01", role=Role.CLERK, station="st-01")
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _trail(db, events):
    """events: (case id, action, hours after START, after); recorded at those times."""
    with db.writing() as uow:
        for case_id, action, hours, after in events:
            with patch("services.platform.audit.datetime") as clock:
                clock.now.return_value = START + timedelta(hours=hours)
                audit.record(uow.session, CLERK, action=action, subject_type="case",
                             subject_id=case_id, after=after)
        uow.commit()


def test_the_graph_counts_each_step_and_the_median_wait(fresh_db):
    project = {"process": "project-approval"}
    _trail(fresh_db, [
        (1, "case.started", 0, project), (1, "case.joint_review", 24, None),
        (1, "case.completed", 30, None),
        (2, "case.started", 1, project), (2, "case.completed", 3, None),
        (3, "case.started", 2, project), (3, "case.completed", 6, None),
        (4, "case.started", 0, {"status": "in_progress"}), (4, "case.rejected", 5, None),
    ])
    by_process = {m.process: m for m in mine(fresh_db, clause_registry())}
    approval = by_process["project_approval"]
    assert approval.cases == 3
    edges = {(e.source, e.target): (e.count, e.median_wait_seconds) for e in approval.edges}
    assert edges == {("case.started", "case.completed"): (2, 3 * 3600),
                     ("case.started", "case.joint_review"): (1, 24 * 3600),
                     ("case.joint_review", "case.completed"): (1, 6 * 3600)}
    assert approval.variants[0] == (("case.started", "case.completed"), 2, 2 / 3)
    assert approval.longest_waits(1)[0].target == "case.joint_review"
    assert by_process[UNRECORDED].cases == 1  # its start event named no process

    page = mining_page(fresh_db).body.decode()
    assert "联审会（case.joint_review）" in page and "1天0小时" in page and "67%" in page
    assert "<h2>并联审批" in page
    assert page.count("<svg") == 2  # a directly-follows graph per process
    assert "1 · 1天0小时" in page  # started → joint review: once, after a day
    assert "clerk-st-01" not in page  # no actors on the page


def test_waits_read_as_a_reader_says_them():
    assert [wait(40), wait(300), wait(5 * 3600 + 12 * 60), wait(2 * 86400 + 3 * 3600)] == [
        "40秒", "5分0秒", "5小时12分", "2天3小时"]
    assert wait(-90) == "-1分30秒"


def test_one_stop_applications_show_their_own_steps(fresh_db):
    """A one-stop application opens with its receipt (no case.started): it is mined as a
    one-stop case, its steps named as the registry names them, not as 未记录."""
    _trail(fresh_db, [
        (7, "application.received", 0, {"service": "S001"}),
        (7, "application.accepted", 0.5, None), (7, "case.approved", 48.5, None),
        (8, "application.received", 1, {"service": "S002"}),
        (8, "application.notice_issued", 1, None), (8, "application.supplied", 25, None),
        (8, "application.accepted", 25.5, None), (8, "case.approved", 73.5, None),
        (9, "case.started", 2, {"process": "approval"}), (9, "case.completed", 4, None),
    ])
    by_process = {m.process: m for m in mine(fresh_db, clause_registry())}
    assert set(by_process) == {"one_stop"}
    one_stop = by_process["one_stop"]
    assert one_stop.cases == 3
    edges = {(e.source, e.target): (e.count, e.median_wait_seconds) for e in one_stop.edges}
    assert edges[("application.received", "application.accepted")] == (1, 1800)
    assert edges[("application.accepted", "case.approved")] == (2, 48 * 3600)
    assert one_stop.longest_waits(1)[0].target == "case.approved"
    page = mining_page(fresh_db).body.decode()
    assert "<h2>一站式审批" in page and UNRECORDED + " " not in page
    assert "收件（application.received）" in page and "一次性告知" in page
