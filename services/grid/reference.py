"""The grid loop's data, read from policies/grid/data: categories (who handles what, by
when) and the "1+5+N" staffing of every grid, with the gaps it leaves."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from policies.grid.categories import Catalogue
from policies.grid.photos import PhotoRules
from policies.grid.staffing import Staffing, staffing_gaps
from services.platform.db import models
from services.platform.db.uow import Database
from services.platform.reference_data import read_entry

DATA = files("policies.grid") / "data"


def read_catalogue(path: Path | None = None) -> Catalogue:
    return read_entry(Catalogue, path or DATA / "categories.yaml", "categories")


def read_staffing(path: Path | None = None) -> Staffing:
    return read_entry(Staffing, path or DATA / "staffing.yaml", "staffing")


def read_photo_rules(path: Path | None = None) -> PhotoRules:
    return read_entry(PhotoRules, path or DATA / "photos.yaml", "photos")


@cache
def photo_rules() -> PhotoRules:
    return read_photo_rules()


@cache
def catalogue() -> Catalogue:
    """Read once per process; the API reads it at start-up, so broken data stops it at once."""
    return read_catalogue()


@cache
def staffing() -> Staffing:
    return read_staffing()


def grid_codes(db: Database) -> list[str]:
    with db.reading() as uow:
        return list(uow.session.scalars(select(models.OrgUnit.code).where(
            models.OrgUnit.level == "grid").order_by(models.OrgUnit.code)))


def staffing_report(db: Database, roster: Staffing | None = None) -> dict[str, list[str]]:
    """Grids of the org tree short of their leader or one of the five types (QL-06)."""
    return staffing_gaps(roster or staffing(), grid_codes(db))
