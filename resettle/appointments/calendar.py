"""The iCalendar (RFC 5545) file a user's phone subscribes to. Without the user's choice to
show details, an event names the person by their first name only, with the place: a phone's
calendar is read on lock screens and synced to other companies' servers."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from resettle.appointments.models import Appointment

PRODUCT = "-//Resettle//Appointments//EN"


def _first_name(appointment: Appointment) -> str:
    person = appointment.person
    return person.given_name or "Someone"


def calendar_file(appointments: list[Appointment], *, include_details: bool, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Resettle appointments")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    now = timezone.now()
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at)
        event.add("sequence", appointment.version)
        if include_details:
            summary = f"{appointment.get_kind_display()}: {appointment.person.full_name}"
            if appointment.note:
                event.add("description", appointment.note)
        else:
            summary = f"Meeting {_first_name(appointment)}"
        event.add("summary", summary)
        if appointment.place:
            event.add("location", appointment.place)
        calendar.add_component(event)
    return calendar.to_ical()
