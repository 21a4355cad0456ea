"""Break-glass on "Offence and sentence" opens the offence and risk record: a lead charity's
designated safeguarding lead, whom no agreement could ever give it, reads it on the page and
over the API while the break-glass is open, and only they, and only reading."""

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.access.services import break_glass_close, break_glass_open
from resettle.api.tests.conftest import assert_problem
from resettle.audit.models import AuditAction, AuditEvent
from resettle.offending.tests.conftest import NOTES, WORDING, days

pytestmark = pytest.mark.django_db

REASON = "The police report a threat to the family tonight; we need to know the risk."


def open_offence(cast, person):
    return break_glass_open(
        actor=cast.safeguarding,
        person=person,
        category=Category.OFFENCE,
        reason=REASON,
        hours=4,
    )


def test_the_lead_opens_offence_through_the_page_and_then_reads_the_record(
    cast, client_as, person, recorded
):
    client = client_as(cast.safeguarding)
    url = reverse("offending:person", args=[person.pk])
    before = client.get(url).content.decode()
    assert "not shared with your organisation" in before and WORDING not in before

    opened = client.post(
        reverse("access:break_glass", args=[person.pk]),
        {"category": Category.OFFENCE, "reason": REASON, "hours": "4"},
    )
    assert opened.status_code == 302

    response = client.get(url)
    body = response.content.decode()
    assert WORDING in body and NOTES in body and "Burglary" in body
    assert f'href="{url}"' in body, "the nav item shows while the break-glass is open"
    assert "Record a sentence" not in body, "break-glass opens reading, never recording"
    read = AuditEvent.objects.get(action=AuditAction.READ, category="offence")
    assert read.username == "safeguarding"


def test_the_lead_reads_it_over_the_api_while_the_break_glass_is_open(
    api_as, cast, person, recorded
):
    api = api_as(cast.safeguarding)
    url = f"/api/v1/people/{person.pk}/offence-and-risk"
    assert_problem(api.get(url), 403)

    access = open_offence(cast, person)
    response = api.get(url)

    assert response.status_code == 200
    assert response.json()["licence_conditions"][0]["wording"] == WORDING
    condition = api.get(f"/api/v1/licence-conditions/{recorded.condition.pk}")
    assert condition.status_code == 200

    break_glass_close(actor=cast.safeguarding, access=access)
    assert_problem(api.get(url), 403)


def test_the_break_glass_opens_it_to_the_lead_alone_and_never_for_recording(
    api_as, client_as, cast, person, recorded
):
    open_offence(cast, person)

    colleague = client_as(cast.caseworker).get(reverse("offending:person", args=[person.pk]))
    assert WORDING not in colleague.content.decode()
    lead = client_as(cast.safeguarding)
    create = reverse("offending:sentence_create", args=[person.pk])
    assert lead.get(create).status_code == 403
    refused = api_as(cast.safeguarding).post(
        "/api/v1/risk-assessments",
        {
            "person": str(person.pk),
            "assessed_on": days(0).isoformat(),
            "rosh_level": "low",
            "mappa_category": "none",
            "mappa_level": "none",
        },
    )
    assert_problem(refused, 403)
