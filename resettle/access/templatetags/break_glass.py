from django import template

from resettle.access import selectors
from resettle.people.models import Person

register = template.Library()


@register.inclusion_tag("access/_person_break_glass.html", takes_context=True)
def person_break_glass(context: template.Context, person: Person) -> dict:
    """On a person's pages: a red banner for each break-glass the actor has open on them, and
    the "Break glass" link for a safeguarding lead with something left to open."""
    access = getattr(context.get("request"), "access", None)
    return {
        "person": person,
        "open_accesses": selectors.open_break_glass_shown(access=access, person=person),
        "can_break_glass": bool(selectors.break_glass_categories(actor=access, person=person)),
    }
