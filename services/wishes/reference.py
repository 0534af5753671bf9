"""Micro-wishes' data: policies/wishes/data/wishes.yaml."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from policies.wishes.rules import WishRules
from services.platform.reference_data import read_entry

DATA = files("policies.wishes") / "data"


def read_rules(path: Path | None = None) -> WishRules:
    return read_entry(WishRules, path or DATA / "wishes.yaml", "wishes")


@cache
def rules() -> WishRules:
    return read_rules()
