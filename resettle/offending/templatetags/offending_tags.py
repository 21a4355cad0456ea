from django import template

from resettle.access.policy import can_view_offending
from resettle.people.models import Person

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_offence_and_risk(context: template.Context, person: Person) -> bool:
    """Whether the person's record shows the Offence and risk section: only for those who may
    read their offence information (probation and the prison, or an open break-glass)."""
    return can_view_offending(getattr(context.get("request"), "access", None), person)
