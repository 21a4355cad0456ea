"""The suitability page points its assessor (probation or the prison, who read offence
information) to the offence and risk behind the answers; anyone else reading the answers, a
delivery partner above all, is never shown the way to it nor anything in it."""

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.access.services import break_glass_open
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.offending.tests.conftest import NOTES, WORDING
from resettle.suitability import services as suitability_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(cast, person, recorded):
    """The probation officer's suitability assessment of the person."""
    return suitability_services.suitability_assessment_record(
        actor=cast.probation,
        person=person,
        data={
            "assessed_on": recorded.risk.assessed_on,
            "review_on": recorded.risk.assessed_on.replace(year=recorded.risk.assessed_on.year + 1),
            "assessor_contact": "01632 960101",
            "group_sessions_with_adults": "yes",
            "sessions_with_under_18s_present": "no",
            "sessions_with_vulnerable_adults_present": "yes",
            "one_to_one_sessions": "yes",
            "two_staff_needed": "no",
            "named_contact_restriction": "no",
        },
    )


def suitability(client, person) -> str:
    response = client.get(reverse("suitability:person", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["probation", "prison"])
def test_the_assessor_is_linked_to_the_offence_and_risk_record(
    cast, client_as, person, assessed, who
):
    body = suitability(client_as(getattr(cast, who)), person)

    assert f'href="{reverse("offending:person", args=[person.pk])}"' in body
    assert "offence and risk record" in body


@pytest.mark.parametrize("who", ["coordinator", "caseworker", "mentor"])
def test_a_partner_reading_the_answers_is_never_linked_nor_shown_offence_text(
    cast, client_as, person, assessed, who
):
    body = suitability(client_as(getattr(cast, who)), person)

    assert "May attend group sessions with adults" in body, "the answers are shared"
    assert reverse("offending:person", args=[person.pk]) not in body
    for secret in ("offence and risk record", WORDING, NOTES, "MAPPA", "Burglary"):
        assert secret not in body


def test_a_delivery_partners_safeguarding_lead_is_not_linked_even_after_break_glass(
    cast, client_as, person, assessed
):
    """Break-glass lets the lead read the record itself (its own section shows in the nav), but
    a delivery partner does not assess: the suitability page never points there."""
    lead = make_membership(
        user=make_user(username="trust-lead"),
        organisation=cast.football_trust,
        role=Role.DELIVERY_COORDINATOR,
        is_safeguarding_lead=True,
    )
    break_glass_open(
        actor=lead,
        person=person,
        category=Category.OFFENCE,
        reason="A child at the session has disclosed a threat from this person.",
        hours=1,
    )

    body = suitability(client_as(lead), person)

    assert "offence and risk record" not in body
    assert WORDING not in body
