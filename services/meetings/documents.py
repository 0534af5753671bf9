"""The meeting's documents: the iCalendar invitation members add to their calendars, and the
minutes (Chinese, printable HTML)."""

from datetime import datetime, time, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from services.meetings.schemas import MeetingRead
from services.platform import documents
from services.platform.clock import DISTRICT_TIME

TEMPLATES = documents.Templates("services.meetings")
MEETING_START = time(9, 0)  # the project's choice: meetings are planned at 09:00
MEETING_HOURS = 2


def invitation_ics(m: MeetingRead, domain: str = "govflow.haicang.gov.cn") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//govflow//joint meetings//ZH")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    start = datetime.combine(m.held_on or m.planned_on, MEETING_START, DISTRICT_TIME)
    event.add("uid", f"meeting-{m.id}@{domain}")
    event.add("summary", f"{m.body_name_zh}（{m.period}）")
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=MEETING_HOURS))
    event.add("dtstamp", datetime.combine(m.convened_on, time(0), DISTRICT_TIME))
    event.add("description", f"请于{m.matters_close_on}前提交需研究决定的重大事项。")
    if m.place:
        event.add("location", m.place)
    for invitee in m.invitations:
        attendee = vCalAddress(f"urn:govflow:person:{invitee.person}")
        attendee.params["cn"] = vText(invitee.name_zh)
        attendee.params["role"] = vText("REQ-PARTICIPANT" if invitee.kind != "registered-leader"
                                        else "OPT-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def minutes_html(m: MeetingRead, department_names: dict[str, str]) -> str:
    return TEMPLATES.render("minutes.html", m=m, names=department_names,
                            on_agenda=[i for i in m.agenda if i.status == "on-agenda"],
                            by_item={r.agenda_item_id: r for r in m.resolutions})
