"""Accepting an application at a station or online (HC-11c, HC-11e).

The completeness check names every missing material at once: the single notice (一次性告知)
is computed from the service guide, so no later notice can name a material the first could
have named. Minor materials the guide marks deferrable may follow on the applicant's written
promise by a date (容缺受理); anything else missing leaves the application incomplete.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policies.reference import Service


class Deferral(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    material: str
    promised_by: date


class Completeness(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Literal["complete", "accepted_with_deferrals", "incomplete"]
    missing: list[str]     # every required material not provided and not deferred
    deferred: list[Deferral]
    refused_deferrals: list[str]  # asked to defer, but the guide does not allow it


def check(service: Service, provided: set[str], deferrals: list[Deferral]) -> Completeness:
    required = {m.code: m for m in service.materials}
    deferrable = {code for code, m in required.items() if m.deferrable}
    asked = {d.material: d for d in deferrals if d.material not in provided}
    refused = sorted(code for code in asked if code not in deferrable)
    deferred = [asked[c] for c in required if c in asked and c in deferrable]
    missing = [c for c in required if c not in provided and c not in
               {d.material for d in deferred}]
    if missing:
        verdict = "incomplete"
    else:
        verdict = "accepted_with_deferrals" if deferred else "complete"
    return Completeness(verdict=verdict, missing=missing, deferred=deferred,
                        refused_deferrals=refused)


def receipt_number(station: str, day: date, sequence: int) -> str:
    """Readable, unique per station and day: st-05-20260706-0007."""
    return f"{station}-{day:%Y%m%d}-{sequence:04d}"


def decided_on_the_spot(service: Service, completeness: Completeness) -> bool:
    """马上办: a complete application for an on-the-spot service is decided at the counter."""
    return service.on_the_spot and completeness.verdict == "complete"
