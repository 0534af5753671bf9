"""Whistle-and-report's data (policies/whistle/data/whistle.yaml) and the `whistle` ladder."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from policies.escalation import Ladder
from policies.whistle.rules import WhistleRules
from services.platform.reference_data import read_entry, read_ladders

DATA = files("policies.whistle") / "data"


def read_rules(path: Path | None = None) -> WhistleRules:
    return read_entry(WhistleRules, path or DATA / "whistle.yaml", "whistle")


@cache
def rules() -> WhistleRules:
    return read_rules()


@cache
def ladder() -> Ladder:
    return read_ladders()["whistle"]
