from dataclasses import dataclass
from functools import cache
from uuid import UUID

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from resettle.access.policy import can_allocate_mentor, can_view_offending, can_view_outcome_events
from resettle.people.choices import IdentifierScheme
from resettle.people.models import Person

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


@dataclass(frozen=True)
class Section:
    href: str
    text: str
    section: str


# A person's sections in the order of the sub-navigation: (URL name, text, section, who sees
# it: None for everyone who sees the record, else the access rule).
SECTIONS = (
    ("people:detail", "Summary", "summary", None),
    ("custody:timeline", "Timeline", "timeline", None),
    ("cases:person", "Cases", "cases", None),
    ("contacts:person_list", "Contacts", "contacts", None),
    ("plans:person_plan", "Action plan", "plan", None),
    ("referrals:person", "Referrals", "referrals", None),
    ("custody:person", "Custody", "custody", None),
    ("appointments:person_list", "Appointments", "appointments", None),
    ("people:family", "Family", "family", None),
    ("suitability:person", "Suitability", "suitability", None),
    ("outcomes:person", "Outcomes", "outcomes", None),
    # For those who match and allocate mentors (a mentor's own mentees are on their pages).
    ("mentoring:person", "Mentoring", "mentoring", can_allocate_mentor),
    # Only for those who may read the person's offence information.
    ("offending:person", "Offence and risk", "offence_and_risk", can_view_offending),
    ("evaluation:person_outcomes", "Reoffending", "reoffending", can_view_outcome_events),
    ("consent:person_consents", "Consent", "consent", None),
)
_ANY_PERSON = UUID(int=0)


@cache
def _address_of_any(name: str, urlconf: str, prefix: str) -> str:
    return reverse(name, args=[_ANY_PERSON], urlconf=urlconf)


def person_address(name: str, person_pk: UUID) -> str:
    """`reverse(name, args=[person_pk])`, reversed once per process (and URLconf, and prefix
    the site is served under) and the id put in: every page of a person's record links to
    fifteen of its sections."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    address = _address_of_any(name, urlconf, get_script_prefix())
    return address.replace(str(_ANY_PERSON), str(person_pk))


@register.simple_tag(takes_context=True)
def person_sections(context: template.Context, person: Person) -> dict[str, list[Section]]:
    """The sections of the person's record the reader may open: `usual` ones on the line,
    `more` under "More"."""
    access = getattr(context.get("request"), "access", None)
    sections: dict[str, list[Section]] = {"usual": [], "more": []}
    for name, text, section, rule in SECTIONS:
        if rule is None or rule(access, person):
            group = "more" if section in MORE_SECTIONS else "usual"
            sections[group].append(Section(person_address(name, person.pk), text, section))
    return sections


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
