"""Dashboard figures over time: each process's headline figures (deadline compliance, the
最多跑一次 share, …), one row per process, figure and day.

Dashboards answer for today only; an auditor asks how a figure went over the year. Each
process computes its own figures (`services/<process>/figures.py`, from its own dashboard's
definitions); the daily `dashboard-figures` flow, registered at the composition root
(flows/worker.py), writes them here; the handbook reads them back without knowing any process.
Figures are totals and shares of the whole district: no person, no case."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Numeric, String, select
from sqlalchemy.orm import Mapped, mapped_column

from policies.access import Actor
from policies.calendar import WorkingCalendar
from services.platform import audit
from services.platform.db.models import Base
from services.platform.db.types import UTCDateTime
from services.platform.db.uow import Database

Unit = Literal["share", "count", "working_days"]


class Figure(BaseModel):
    """One headline figure of a process on a day; None when there was nothing to count."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z_]*$", max_length=48)
    name_zh: str = Field(min_length=1, max_length=64)
    unit: Unit
    value: float | None = Field(default=None, ge=0)


class FigureSource(Protocol):
    """What a process's figures module offers (module attributes PROCESS and figures)."""
    PROCESS: str

    def figures(self, db: Database, calendar: WorkingCalendar, today: date) -> list[Figure]:
        ...


class DashboardFigure(Base):
    __tablename__ = "dashboard_figures"

    process: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]  # its place in the process's list: the page shows them in that order
    value: Mapped[float | None] = mapped_column(Numeric(14, 4, asdecimal=False))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


def record(db: Database, actor: Actor, process: str, day: date,
           figures: list[Figure]) -> int:
    """Write a process's figures of a day (again on a re-run: the day's values are replaced);
    audited when a value changed. Returns how many figures changed."""
    def work(uow) -> int:
        changed = {}
        for position, figure in enumerate(figures):
            row = uow.session.get(DashboardFigure, (process, figure.code, day))
            if row is None:
                row = DashboardFigure(process=process, code=figure.code, day=day)
                uow.session.add(row)
            elif (row.value, row.name_zh, row.position) == (figure.value, figure.name_zh,
                                                             position):
                continue
            row.name_zh, row.unit, row.value = figure.name_zh, figure.unit, figure.value
            row.position = position
            row.recorded_at = datetime.now(UTC)
            changed[figure.code] = figure.value
        if changed:
            uow.session.flush()
            audit.record(uow.session, actor, action="figures.recorded",
                         subject_type="dashboard_figures", subject_id=f"{process}/{day}",
                         after=changed)
        uow.commit()
        return len(changed)

    return db.run(work)


@dataclass(frozen=True)
class Series:
    process: str
    code: str
    name_zh: str
    unit: str
    points: list[tuple[date, float | None]]  # by day


def series(db: Database) -> list[Series]:
    """Every figure's values by day, per process and figure (named and placed as on its
    latest day)."""
    with db.reading() as uow:
        rows = uow.session.scalars(select(DashboardFigure).order_by(
            DashboardFigure.process, DashboardFigure.code, DashboardFigure.day)).all()
        grouped: dict[tuple[str, str], list[DashboardFigure]] = {}
        for row in rows:
            grouped.setdefault((row.process, row.code), []).append(row)
        ordered = sorted(grouped.items(), key=lambda g: (g[0][0], g[1][-1].position))
        return [Series(process=p, code=c, name_zh=days[-1].name_zh, unit=days[-1].unit,
                       points=[(d.day, d.value) for d in days])
                for (p, c), days in ordered]


def record_sources(db: Database, calendar: WorkingCalendar, actor: Actor,
                   sources: list[FigureSource], today: date) -> dict[str, int]:
    """Each process's figures of the day, written; how many changed per process."""
    return {source.PROCESS: record(db, actor, source.PROCESS, today,
                                   source.figures(db, calendar, today))
            for source in sources}
