"""The joint meetings' reading endpoints: who reaches which body, and the compliance
dashboard an auditor reads."""

from datetime import date

import pytest

from policies.meetings.resolutions import Progress
from services.meetings import compliance, resolutions, steps
from services.meetings.bodies import bodies, rules
from services.meetings.resolutions import Completion, Confirmation
from services.platform.errors import Conflict
from services.work import work_items
from tests.features.meetings import support as s


def test_a_street_secretary_reaches_its_street_and_communities_an_auditor_every_body(
        client, login):
    xinyang = client.get("/api/v1/bodies", headers=login("secretary-xinyang")).json()
    assert sorted(b["code"] for b in xinyang) == [
        "xinyang", "xinyang-xianglu", "xinyang-xingwang", "xinyang-xinyang"]
    assert len(client.get("/api/v1/bodies", headers=login("auditor")).json()) == 21
    assert client.get("/api/v1/bodies/songyu", headers=login(
        "secretary-xinyang")).status_code == 404


def test_a_body_page_lists_members_with_their_kind_unit_and_term(client, login):
    page = client.get("/api/v1/bodies/haicang-street-shitang",
                      headers=login("secretary-haicang-street-shitang")).json()
    part_time = [m for m in page["members"] if m["kind"] == "part-time"]
    assert len(part_time) == 4 and all(m["unit_zh"] and m["term_from"] for m in part_time)
    assert "account" not in page["members"][0]


def test_the_dashboard_shows_missed_periods_and_the_on_time_closure_rate(db, client, login):
    code = "haicang-street-shitang"
    _, ids = s.hold(db, code, date(2026, 10, 5), date(2026, 10, 12), "civil-affairs", 5)
    owner, secretary = s.officer("civil-affairs"), s.secretary(code)
    resolutions.report_progress(db, owner, ids[0], Progress(percent=50, note="推进中"),
                                date(2026, 10, 13))
    steps.complete_resolution(db, s.calendar, owner, ids[0], Completion(result="已办结"),
                              date(2026, 10, 14))
    steps.confirm_resolution(db, s.calendar, secretary, ids[0],
                             Confirmation(accepted=True, note="核实"), date(2026, 10, 15))
    swept = {c: bodies()[c] for c in (code, "haicang-street-aoguan")}  # the others' own tests
    compliance.sweep(db, rules(), swept, date(2026, 11, 2))

    board = client.get("/api/v1/dashboard/meetings", headers=login("auditor"),
                       params={"level": "community", "period": "2026-10"}).json()
    rows = {r["body_code"]: r for r in board["rows"]}
    assert rows[code]["held_on"] == "2026-10-12" and not rows[code]["finding"]
    assert rows[code]["on_time_rate"] == 1.0
    missed = [r["body_code"] for r in board["rows"] if r["finding"]]
    assert "haicang-street-aoguan" in missed and code not in missed
    assert board["findings"] == len(missed)
    mine = client.get("/api/v1/dashboard/meetings", headers=login(f"secretary-{code}"),
                      params={"period": "2026-10"}).json()
    assert {r["body_code"] for r in mine["rows"]} == {code}


def test_a_completion_refused_in_its_transaction_leaves_the_item_open_and_nothing_written(db):
    """The owner's work item and the resolution's own records are one transaction: when the
    resolution refuses (here, after its records were written), the decision is not taken."""
    code, day = "dongfu-fengshan", date(2026, 9, 14)
    _, ids = s.hold(db, code, date(2026, 9, 7), date(2026, 9, 8), "civil-affairs", 5)
    owner = s.officer("civil-affairs")
    item_id = resolutions.follow_up_item(db, owner, ids[0])

    def refuse(session):
        resolutions.complete_in(session, owner, ids[0], Completion(result="已办结"), day,
                                lambda body: f"org:{body}")
        raise Conflict("refused after the resolution's records were written")

    with pytest.raises(Conflict):
        work_items.decide(db, s.calendar, owner, item_id, {
            "record": "resolution-done", "content": {"result": "已办结"}}, day, alongside=refuse)
    assert work_items.get(db, owner, item_id).status == "open"
    after = resolutions.get(db, owner, ids[0], day)
    assert after.status == "assigned" and [e.stage for e in after.timeline] == ["assigned"]
    assert resolutions.follow_up_item(db, owner, ids[0]) == item_id  # still the owner's
    steps.complete_resolution(db, s.calendar, owner, ids[0], Completion(result="已办结"), day)
    closed = steps.confirm_resolution(db, s.calendar, s.secretary(code), ids[0],
                                      Confirmation(accepted=True, note="核实"), day)
    assert closed.status == "closed"  # (and no open resolution is left to other tests)
