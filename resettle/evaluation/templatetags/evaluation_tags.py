from django import template

from resettle.access.policy import can_view_outcome_events
from resettle.people.models import Person

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_outcome_events(context: template.Context, person: Person) -> bool:
    """Whether the person's record shows the Reoffending section: for those who may see their
    offence information."""
    return can_view_outcome_events(getattr(context.get("request"), "access", None), person)
