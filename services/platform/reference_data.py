"""Reads the reference data files, validates them through policies/, mirrors them in the
database."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select

from policies import reference as ref
from policies.access import Actor
from policies.calendar import CalendarYear, WorkingCalendar
from policies.escalation import Ladder
from services.platform import audit
from services.platform.db import models
from services.platform.db.uow import Database

DATA_DIR = files("policies") / "data"
REFERENCE_FILES = ("departments.yaml", "stations.yaml", "org.yaml", "services.yaml")


def read_reference(directory: Path | None = None) -> ref.ReferenceData:
    base = directory or DATA_DIR
    return ref.parse_reference({name: read_yaml(base / name) for name in REFERENCE_FILES})


def read_calendar(path: Path | None = None) -> WorkingCalendar:
    source = path or DATA_DIR / "calendar.yaml"
    raw = read_yaml(source)
    years = [validate_entry(CalendarYear, item, file_name(source), f"years[{index}]")
             for index, item in enumerate(raw.get("years") or [])]
    return WorkingCalendar(years)


def read_yaml(path) -> dict[str, Any]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ref.ReferenceDataError(f"{file_name(path)}: file not found") from None
    except yaml.YAMLError as exc:
        raise ref.ReferenceDataError(f"{file_name(path)}: not valid YAML: {exc}") from None


def file_name(path) -> str:
    return getattr(path, "name", str(path))


@dataclass
class TableLoad:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def load_reference(db: Database, data: ref.ReferenceData, actor: Actor) -> dict[str, TableLoad]:
    """Insert or update every reference row; one audit event per table that changed."""

    def work(uow) -> dict[str, TableLoad]:
        report = {
            "org_units": _sync(uow.session, models.OrgUnit, map(_org_unit_row, data.org_units())),
            "departments": _sync(uow.session, models.Department,
                                 (d.model_dump() for d in data.departments)),
            "stations": _sync(uow.session, models.Station, map(_station_row, data.stations)),
            "services": _sync(uow.session, models.Service, map(_service_row, data.services)),
        }
        for table, load in report.items():
            if load.added or load.updated:
                audit.record(uow.session, actor, action="reference.loaded", subject_type=table,
                             subject_id=table, after={"added": load.added,
                                                      "updated": load.updated})
        uow.commit()
        return report

    return db.run(work)


def _sync(session, model, rows: Iterable[dict[str, Any]]) -> TableLoad:
    existing = {row.code: row for row in session.scalars(select(model))}
    load = TableLoad()
    for values in rows:
        current = existing.get(values["code"])
        if current is None:
            session.add(model(**values))
            session.flush()  # parents before children (org units reference each other)
            load.added.append(values["code"])
        elif _differs(current, values):
            for name, value in values.items():
                setattr(current, name, value)
            load.updated.append(values["code"])
        else:
            load.unchanged += 1
    return load


def _differs(row, values: dict[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def _org_unit_row(unit: ref.OrgUnit) -> dict[str, Any]:
    return {"code": unit.code, "name_zh": unit.name_zh, "name_en": unit.name_en,
            "level": unit.level, "parent_code": unit.parent}


def _station_row(st: ref.Station) -> dict[str, Any]:
    values = st.model_dump(exclude={"street", "community"})
    return values | {"street_code": st.street, "community_code": st.community}


def _service_row(s: ref.Service) -> dict[str, Any]:
    values = s.model_dump(exclude={"department", "materials", "applicant_kinds"})
    return values | {
        "department_code": s.department,
        "applicant_kinds": list(s.applicant_kinds),
        "materials": [m.model_dump() for m in s.materials],
    }


def count_rows(db: Database) -> dict[str, int]:
    tables: dict[str, Callable] = {
        "services": models.Service, "departments": models.Department,
        "stations": models.Station, "org_units": models.OrgUnit,
    }
    with db.reading() as uow:
        return {name: uow.session.scalar(select(func.count()).select_from(model))
                for name, model in tables.items()}


def read_ladders(path: Path | None = None) -> dict[str, Ladder]:
    source = path or DATA_DIR / "escalation.yaml"
    ladders = {}
    for index, item in enumerate(read_yaml(source).get("ladders") or []):
        ladder = validate_entry(Ladder, item, file_name(source), f"ladders[{index}]")
        ladders[ladder.name] = ladder
    return ladders


def validate_entry(model, item, file: str, label: str):
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(entry)"
        raise ref.ReferenceDataError(f"{file}: {label}: field '{where}': {first['msg']}"
                                     ) from None


def read_entry(model, path, label: str):
    """One file validated as one `model`; errors name the file, the entry and the field."""
    return validate_entry(model, read_yaml(path), file_name(path), label)
