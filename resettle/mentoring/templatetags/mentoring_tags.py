from django import template

from resettle.access.policy import can_allocate_mentor
from resettle.people.models import Person

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_mentoring(context: template.Context, person: Person) -> bool:
    """Whether the person's record shows the Mentoring section: for those who match and
    allocate mentors (a mentor's own mentees are on their today and caseload pages)."""
    return can_allocate_mentor(getattr(context.get("request"), "access", None), person)
