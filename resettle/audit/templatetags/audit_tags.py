from django import template

from resettle.access.policy import can_view_access_log
from resettle.people.models import Person

register = template.Library()


@register.inclusion_tag("audit/_access_log_nav_item.html", takes_context=True)
def person_access_log_link(context: template.Context, person: Person) -> dict:
    """The "Access log" item of a person's sub-navigation, for those the policy lets see it,
    so every page of the person's record shows it or none does."""
    request = context.get("request")
    return {
        "person": person,
        "show": can_view_access_log(getattr(request, "access", None), person),
        "current": context.get("active_section") == "access_log",
    }
