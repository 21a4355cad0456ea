"""A person's offence and risk record reads a fixed number of queries however long its history
(two of each part and eight, the same count), on the page and over the API."""

import pytest
from django.test import Client
from django.urls import reverse

from resettle.offending import services
from resettle.offending.tests.conftest import condition_data, days, risk_data, sentence_data
from resettle.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db


def _add(actor, person, count: int, start: int) -> None:
    for n in range(start, start + count):
        services.sentence_record(
            actor=actor, person=person, data=sentence_data(sentenced_on=days(-900 + n))
        )
        services.risk_assessment_record(
            actor=actor, person=person, data=risk_data(assessed_on=days(-90 + n))
        )
        condition = services.licence_condition_record(
            actor=actor, person=person, data=condition_data(starts_on=days(-90 + n))
        )
        if n % 2:
            services.licence_condition_end(actor=actor, condition=condition, ends_on=days(-1))


def test_the_page_and_the_api_read_a_fixed_number_of_queries(count_queries, cast, person):
    client = Client()
    client.force_login(cast.probation.user)
    api = ApiClient(Client(), token_for(cast.probation.user))
    calls = (
        (client, reverse("offending:person", args=[person.pk])),
        (api, f"/api/v1/people/{person.pk}/offence-and-risk"),
    )

    def measure() -> list[int]:
        counts = []
        for who, url in calls:
            with count_queries() as queries:
                response = who.get(url)
            assert response.status_code == 200, url
            counts.append(len(queries))
        return counts

    _add(cast.probation, person, 2, 0)
    measure()  # the first use of a token or session writes what later ones need not
    few = measure()
    _add(cast.probation, person, 6, 2)
    many = measure()

    assert many == few
