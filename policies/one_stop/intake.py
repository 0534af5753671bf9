"""Accepting an application at a station or online (HC-11c, HC-11e).

The completeness check names every missing material at once: the single notice (一次性告知)
is computed from the service guide, so no later notice can name a material the first could
have named. Minor materials the guide marks deferrable may follow on the applicant's written
promise by a date (容缺受理); anything else missing leaves the application incomplete.
"""

from datetime import date
from enum import StrEnum
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


class Channel(StrEnum):
    """How an application came in: at a station's counter, or from the applicant online."""

    STATION = "station"
    ONLINE = "online"


# Anything that must happen in person for an online application (a correction at the counter,
# delivery of the result, a call-back after a bad rating) is handled by the station the
# applicant chose, else by this one (海沧街道便民服务中心). The article is silent on it: the
# project's choice, so that every online case has one known counter from the start.
ONLINE_DEFAULT_STATION = "st-01"


def handling_station(chosen: str | None) -> str:
    """Where an online application's in-person steps happen (就近办: the applicant's pick)."""
    return chosen or ONLINE_DEFAULT_STATION


def receipt_series(channel: Channel, station: str) -> str:
    """Each station numbers its own counter; applications made online have a series of their
    own, so a receipt number says where the application came in."""
    return station if channel is Channel.STATION else Channel.ONLINE.value


def receipt_number(series: str, day: date, sequence: int) -> str:
    """Readable, unique per series and day: st-05-20260706-0007, online-20260706-0012."""
    return f"{series}-{day:%Y%m%d}-{sequence:04d}"


def decided_on_the_spot(service: Service, completeness: Completeness) -> bool:
    """马上办: a complete application for an on-the-spot service is decided at the counter."""
    return service.on_the_spot and completeness.verdict == "complete"
