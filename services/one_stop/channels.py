"""Through which channel an application comes in, and which station handles it (HC-11c/d).

A clerk files at the counter of its own station: the receipt is in that station's series and
the station handles the case. An applicant files online, for itself only: the receipt is in
the online series, and whatever must happen in person (a correction at the counter, delivery
of the result, a call-back) is handled by the station it chose, else by the default station
(`policies.one_stop.intake.handling_station`).
"""

from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.orm import Session

from policies import access
from policies.access import Actor, ObjectScope, Role
from policies.one_stop import intake
from policies.one_stop.intake import Channel
from services.platform.db import models
from services.platform.errors import Forbidden, InvalidInput


@dataclass(frozen=True)
class Route:
    channel: Channel
    station: str  # handles the case's in-person steps
    series: str   # of its receipt number


def route_for(session: Session, actor: Actor, *, station: str | None,
          handling_station: str | None, applicant: BaseModel) -> Route:
    if actor.role is Role.APPLICANT:
        found = _online(actor, station, handling_station, applicant)
    else:
        found = _at_the_counter(actor, station, handling_station)
    if session.get(models.Station, found.station) is None:
        field = "handling_station" if found.channel is Channel.ONLINE else "station"
        raise InvalidInput(f"no station '{found.station}'", field=field)
    return found


def applicant_number(applicant: BaseModel) -> str:
    """The citizen ID number of a person, the unified social credit code of an enterprise."""
    return getattr(applicant, "id_number", None) or applicant.credit_code


def _online(actor: Actor, station: str | None, handling_station: str | None,
            applicant: BaseModel) -> Route:
    if station is not None:
        raise InvalidInput("an applicant files online, not at a station's counter: leave out "
                           "station, and name handling_station for anything in person",
                           field="station")
    if applicant_number(applicant) != actor.applicant_number:
        field = "id_number" if applicant.kind == "person" else "credit_code"
        raise Forbidden("an applicant files online for itself only: this is not the number "
                        "the account was verified with", field=f"applicant.{field}")
    handler = intake.handling_station(handling_station)
    return Route(channel=Channel.ONLINE, station=handler,
                 series=intake.receipt_series(Channel.ONLINE, handler))


def _at_the_counter(actor: Actor, station: str | None, handling_station: str | None) -> Route:
    if station is None:
        raise InvalidInput("an application at the counter names its station", field="station")
    if handling_station is not None:
        raise InvalidInput("an application at the counter is handled by its station; "
                           "handling_station is for online applications",
                           field="handling_station")
    if not access.can_write(actor, ObjectScope(station=station)):
        raise Forbidden(f"{actor.username} does not act for station {station}")
    return Route(channel=Channel.STATION, station=station,
                 series=intake.receipt_series(Channel.STATION, station))
