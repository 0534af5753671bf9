"""Dashboard figures over time on a real database: each process's own figures module computes
the day's district figures, the platform keeps one row per process, figure and day, and the
handbook's figures page charts them — without importing any process."""

from datetime import UTC, date, datetime
from importlib import import_module

import pytest
from sqlalchemy import func, select

from flows.housekeeping.dashboard_figures import RECORDER
from flows.worker import FIGURE_SOURCES
from services.grid import figures as grid_figures
from services.handbook.registry import clause_registry
from services.handbook.site import figures_page
from services.one_stop import figures as one_stop_figures
from services.one_stop.models import Visit
from services.platform import figures, reference_data
from services.platform.db import models
from services.work.models import Case
from tests.conftest import SYSTEM

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
SOURCES = [one_stop_figures, grid_figures]


@pytest.fixture
def loaded_db(fresh_db):
    reference_data.load_reference(fresh_db, reference_data.read_reference(), SYSTEM)
    return fresh_db


def _decided(db, number: int, due_on: date, finished_on: date, visits: int) -> None:
    """An application decided on `finished_on`, promised for `due_on`, after `visits` visits."""
    now = datetime.now(UTC)
    with db.writing() as uow:
        station = uow.session.scalars(select(models.Station.code)).first()
        case = Case(receipt_no=f"{station}-20260302-{number:04d}", process="approval",
                    process_version=1, status="approved", station_code=station,
                    subject="办理居住证", accepted_on=date(2026, 2, 23), due_on=due_on,
                    finished_on=finished_on, created_at=now, updated_at=now)
        uow.session.add(case)
        uow.session.flush()
        uow.session.add_all(Visit(case_id=case.id, station_code=station, purpose="提交材料",
                                  recorded_by="clerk", at=now) for _ in range(visits))
        uow.commit()


def _values(db, process: str) -> dict[str, list[tuple[date, float | None]]]:
    return {s.code: s.points for s in figures.series(db) if s.process == process}


def test_each_day_records_the_dashboards_figures_and_the_page_charts_them(loaded_db):
    calendar = reference_data.read_calendar(None)
    _decided(loaded_db, 1, due_on=MONDAY, finished_on=MONDAY, visits=1)
    _decided(loaded_db, 2, due_on=date(2026, 2, 27), finished_on=MONDAY, visits=2)  # late
    figures.record_sources(loaded_db, calendar, RECORDER, SOURCES, MONDAY)
    _decided(loaded_db, 3, due_on=date(2026, 3, 5), finished_on=TUESDAY, visits=0)
    changed = figures.record_sources(loaded_db, calendar, RECORDER, SOURCES, TUESDAY)
    assert changed["one_stop"] > 0

    one_stop = _values(loaded_db, "one_stop")
    assert one_stop["deadline_compliance"] == [(MONDAY, 0.5), (TUESDAY, 0.667)]
    assert one_stop["at_most_one_visit"] == [(MONDAY, 0.5), (TUESDAY, 0.667)]
    assert one_stop["zero_visits"] == [(MONDAY, 0.0), (TUESDAY, 0.333)]
    assert one_stop["received"] == [(MONDAY, 2), (TUESDAY, 3)]
    assert _values(loaded_db, "grid")["response_rate"] == [(MONDAY, None), (TUESDAY, None)]

    page = figures_page(loaded_db).body.decode()
    assert '<section class="figures" data-process="one_stop">' in page
    assert "按期办结率" in page and "最多跑一次占比" in page and "按时响应率" in page
    assert 'data-day="2026-03-03" data-value="0.667"' in page and ">67%<" in page
    assert "办理居住证" not in page and "clerk" not in page  # no case, no person


def test_a_rerun_of_a_day_changes_nothing_and_audits_nothing(loaded_db):
    calendar = reference_data.read_calendar(None)
    _decided(loaded_db, 1, due_on=MONDAY, finished_on=MONDAY, visits=1)
    first = figures.record_sources(loaded_db, calendar, RECORDER, SOURCES, MONDAY)
    audited = _audit_count(loaded_db)
    again = figures.record_sources(loaded_db, calendar, RECORDER, SOURCES, MONDAY)
    assert first["one_stop"] == 7 and again == {"one_stop": 0, "grid": 0}
    assert _audit_count(loaded_db) == audited


def test_the_worker_records_figures_of_registered_processes_only():
    codes = {p.code for p in clause_registry().processes}
    for name in FIGURE_SOURCES:
        assert import_module(name).PROCESS in codes, name


def _audit_count(db) -> int:
    with db.reading() as uow:
        return uow.session.scalar(select(func.count()).select_from(models.AuditEvent))
