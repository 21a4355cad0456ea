"""The tabs of a person's record: every section's address, in order, with "Offence and risk"
and "Reoffending" only for those who may read offence information (the offending app's tests
show them to probation)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EVERYONE = [
    "people:detail",
    "custody:timeline",
    "cases:person",
    "contacts:person_list",
    "plans:person_plan",
    "referrals:person",
    "custody:person",
    "appointments:person_list",
    "people:family",
    "suitability:person",
    "outcomes:person",
]


def tabs(response) -> list[str]:
    body = response.content.decode()
    start = body.index('class="moj-sub-navigation app-person-nav"')
    nav = body[start : body.index("</nav>", start)]
    return re.findall(r'class="moj-sub-navigation__link" href="([^"]+)"', nav)


def test_a_delivery_partner_has_no_offence_sections(client_as, cast, make_person):
    person = make_person(cast.caseworker)
    links = tabs(client_as(cast.caseworker).get(reverse("people:detail", args=[person.pk])))
    assert links[: len(EVERYONE)] == [reverse(name, args=[person.pk]) for name in EVERYONE]
    assert reverse("offending:person", args=[person.pk]) not in links
    assert reverse("evaluation:person_outcomes", args=[person.pk]) not in links
