from django import template

from resettle.appointments.models import Appointment
from resettle.appointments.selectors import upcoming_own_appointments
from resettle.people.models import Person

register = template.Library()


@register.simple_tag(takes_context=True)
def upcoming_appointments(context: template.Context, person: Person) -> list[Appointment]:
    """The next few appointments the actor's organisation has booked with the person, for their
    summary."""
    return upcoming_own_appointments(
        actor=getattr(context.get("request"), "access", None), person=person
    )
