"""The clause registry, read from policies/handbook/data/clauses.yaml and validated by the pure
model in policies/handbook/clauses.py (errors name the file, the entry and the field)."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from policies.handbook.clauses import ClauseRegistry
from services.platform.reference_data import read_entry

CLAUSES_FILE = files("policies.handbook") / "data" / "clauses.yaml"


def read_registry(path: Path | None = None) -> ClauseRegistry:
    return read_entry(ClauseRegistry, path or CLAUSES_FILE, "clauses")


@cache
def clause_registry() -> ClauseRegistry:
    return read_registry()
