"""The bodies, their members and the meeting rules, read from policies/meetings/data and
checked against the org tree (a designer changes them there, not in the code)."""

from functools import cache
from importlib.resources import files
from pathlib import Path

from policies.meetings.bodies import BodiesFile, Body, build_bodies
from policies.meetings.cadence import MeetingRules
from policies.reference import ReferenceDataError
from services.platform.reference_data import read_entry, read_reference

DATA = files("policies.meetings") / "data"


def read_bodies(path: Path | None = None, org_dir: Path | None = None) -> dict[str, Body]:
    source = path or DATA / "bodies.yaml"
    data = read_entry(BodiesFile, source, "bodies")
    try:
        built = build_bodies(data, read_reference(org_dir).org_units())
    except ValueError as exc:
        raise ReferenceDataError(f"{getattr(source, 'name', source)}: {exc}") from None
    return {b.code: b for b in built}


def read_rules(path: Path | None = None) -> MeetingRules:
    return read_entry(MeetingRules, path or DATA / "rules.yaml", "rules")


@cache
def bodies() -> dict[str, Body]:
    """Read once per process; the API and the worker read it at start-up so that broken data
    stops them at once."""
    return read_bodies()


@cache
def rules() -> MeetingRules:
    return read_rules()
