"""A person's timeline, on the page and over the API, shows sentences, risk assessments and
licence conditions starting and ending to those who may read the offence record, and nothing of
them to anyone else."""

import pytest
from django.urls import reverse

from resettle.offending.tests.conftest import WORDING

pytestmark = pytest.mark.django_db


def _titles(client, person) -> list[str]:
    response = client.get(reverse("custody:timeline", args=[person.pk]))
    assert response.status_code == 200
    return [entry.title for entry in response.context["entries"]]


def test_probation_sees_the_offence_record_on_the_timeline(cast, client_as, person, recorded):
    titles = _titles(client_as(cast.probation), person)

    assert "Sentenced: immediate custody" in titles
    assert "Risk of serious harm assessed: medium" in titles
    assert "Licence condition starts: exclusion zone" in titles
    assert "Licence condition ends: curfew" in titles


@pytest.mark.parametrize("who", ["caseworker", "coordinator", "mentor"])
def test_partners_see_none_of_it_on_the_page_or_the_api(
    cast, client_as, api_as, person, recorded, who
):
    actor = getattr(cast, who)
    titles = _titles(client_as(actor), person)
    assert not [t for t in titles if t.startswith(("Sentenced", "Risk of", "Licence condition"))]

    response = api_as(actor).get(f"/api/v1/people/{person.pk}/timeline")
    assert response.status_code == 200
    assert WORDING not in response.content.decode()
    assert "offence" not in {entry["kind"] for entry in response.json()["results"]}


def test_the_api_timeline_carries_them_for_probation(cast, api_as, person, recorded):
    response = api_as(cast.probation).get(
        f"/api/v1/people/{person.pk}/timeline", {"kind": "offence"}
    )

    assert response.status_code == 200
    entries = response.json()["results"]
    assert entries and {entry["kind"] for entry in entries} == {"offence"}
    assert any(WORDING in " ".join(entry["lines"]) for entry in entries)
