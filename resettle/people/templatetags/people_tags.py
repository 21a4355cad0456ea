from django import template

from resettle.people.choices import IdentifierScheme

register = template.Library()

# The sections of a person's record listed under "More" in its sub-navigation: the ones most
# users open least, so the usual ones fit on one line (layouts/person.html).
MORE_SECTIONS = frozenset(
    {
        "appointments",
        "outcomes",
        "reoffending",
        "offence_and_risk",
        "mentoring",
        "family",
        "suitability",
        "consent",
        "access_log",
        "corrections",
        "subject_access",
    }
)


@register.simple_tag(takes_context=True)
def in_more_sections(context: template.Context) -> bool:
    """Whether the page shown is one of the sections grouped under "More"."""
    return context.get("active_section") in MORE_SECTIONS


# Identifier schemes as a list names them, short enough for a table cell on a phone.
SHORT_SCHEME_NAMES: dict[str, str] = {
    IdentifierScheme.PRISON_NUMBER: "Prison number",
    IdentifierScheme.CRN: "CRN",
    IdentifierScheme.PNC: "PNC ID",
    IdentifierScheme.NI_NUMBER: "NI number",
}


@register.filter
def short_scheme_name(scheme: str) -> str:
    return SHORT_SCHEME_NAMES.get(scheme, scheme)
