from django import template

from resettle.access.policy import can_make_subject_access_export, is_data_protection_lead
from resettle.people.models import Person

register = template.Library()

# Pages of a person's record, under "People" rather than "Data protection".
CORRECTION_PAGES = frozenset({"person_corrections", "person_correct"})


def _access(context: template.Context):
    return getattr(context.get("request"), "access", None)


@register.inclusion_tag("dataprotection/_person_nav_items.html", takes_context=True)
def data_protection_person_nav(context: template.Context, person: Person) -> dict:
    """The person's sub-navigation items: "Corrections" for everyone who sees the record, and
    "Subject access" for the organisation's data-protection lead."""
    return {
        "person": person,
        "subject_access": can_make_subject_access_export(_access(context), person),
        "section": context.get("active_section"),
    }


@register.inclusion_tag("dataprotection/_nav_item.html", takes_context=True)
def data_protection_nav(context: template.Context) -> dict:
    """The service navigation's "Data protection" item, for data-protection leads."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return {
        "show": is_data_protection_lead(_access(context)),
        "current": match is not None
        and match.namespace == "dataprotection"
        and match.url_name not in CORRECTION_PAGES,
    }
