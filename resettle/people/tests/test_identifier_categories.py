"""Identifiers take their scheme's category: a prison number, CRN or PNC ID is a criminal-justice
identifier that a delivery partner (the football trust) does not get unless an agreement gives
it; a National Insurance number is identity, seen by anyone working with the person."""

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PNC = "2012/0052494Q"
PRISON_NUMBER = "A1234BC"
NI = "AB123456C"


@pytest.fixture
def sam(cast, make_person, share):
    """Worked with by the lead charity and the football trust; only the lead charity (and
    probation and prison) receive criminal-justice identifiers."""
    share(
        categories=[Category.CRIMINAL_JUSTICE_IDS],
        kinds=[OrganisationKind.LEAD_CHARITY, OrganisationKind.PROBATION],
    )
    return make_person(
        cast.caseworker,
        cast.coordinator,
        given_name="Sam",
        family_name="Reed",
        identifiers={"pnc": PNC, "prison_number": PRISON_NUMBER, "ni_number": NI},
    )


def test_the_football_trust_sees_the_ni_number_but_not_pnc_or_prison_number_on_pages(
    client_as, cast, sam
):
    client = client_as(cast.coordinator)
    for url in (
        reverse("people:detail", args=[sam.pk]),
        reverse("people:list"),
        reverse("people:edit", args=[sam.pk]),
    ):
        text = client.get(url).text
        assert PNC not in text and PRISON_NUMBER not in text, url
    assert NI in client.get(reverse("people:detail", args=[sam.pk])).text


def test_the_lead_charity_with_the_agreement_sees_them(client_as, cast, sam):
    text = client_as(cast.caseworker).get(reverse("people:detail", args=[sam.pk])).text
    assert PNC in text and PRISON_NUMBER in text and NI in text
    read = AuditEvent.objects.filter(person_id=sam.pk, category=Category.CRIMINAL_JUSTICE_IDS)
    assert read.exists()


def test_searching_by_a_pnc_the_football_trust_may_not_see_finds_no_one(client_as, cast, sam):
    client = client_as(cast.coordinator)
    for term in (PNC, PRISON_NUMBER):
        response = client.get(reverse("people:list"), {"q": term})
        assert "Sam Reed" not in response.text, term
    assert "Sam Reed" in client.get(reverse("people:list"), {"q": NI}).text
    assert "Sam Reed" in client_as(cast.caseworker).get(reverse("people:list"), {"q": PNC}).text


def test_the_api_gives_the_football_trust_only_identity_identifiers(api_as, cast, sam):
    api = api_as(cast.coordinator)
    detail = api.get(f"/api/v1/people/{sam.pk}").json()
    assert detail["identifiers"] == [{"scheme": "ni_number", "value": NI}]
    listed = api.get("/api/v1/people").text
    assert PNC not in listed and PRISON_NUMBER not in listed
    assert api.get("/api/v1/people", {"q": PNC}).json()["count"] == 0
    schemes = {
        i["scheme"]
        for i in api_as(cast.caseworker).get(f"/api/v1/people/{sam.pk}").json()["identifiers"]
    }
    assert schemes == {"pnc", "prison_number", "ni_number"}


def test_the_football_trust_cannot_set_a_pnc_and_replacing_identifiers_keeps_those_it_cannot_see(
    api_as, cast, sam
):
    api = api_as(cast.coordinator)
    url = f"/api/v1/people/{sam.pk}"
    etag = api.get(url)["ETag"]
    refused = api.patch(
        url,
        {"identifiers": [{"scheme": "pnc", "value": "2013/0000001A"}]},
        headers={"If-Match": etag},
    )
    assert refused.status_code == 403
    changed = api.patch(url, {"identifiers": []}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["identifiers"] == []
    assert set(sam.identifiers.values_list("scheme", flat=True)) == {"pnc", "prison_number"}
