"""The API list of cases reads a fixed number of queries however many cases there are (5 people
and 50 people, the same count), for the organisation's own cases and partners' shared ones."""

import pytest
from django.test import Client

from resettle.cases import services
from resettle.custody.tests.conftest import days
from resettle.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db

# The case list records no reads, so a page of 100 costs no more audit inserts than one of 10.
URLS = [
    "/api/v1/cases",
    "/api/v1/cases?page_size=100",
    "/api/v1/cases?state=open&page_size=100",
]


def _add(cast, make_person, count: int, start: int) -> None:
    """Each person has a case with the lead charity and one with the family charity, whose case
    notes the agreement shares with the lead charity."""
    for n in range(start, start + count):
        person = make_person(
            cast.caseworker, cast.family, given_name=f"Sam{n}", family_name="Count"
        )
        services.case_open(
            actor=cast.caseworker, person=person, opened_on=days(-30), worker=cast.caseworker.user
        )
        services.case_open(
            actor=cast.family, person=person, opened_on=days(-20), worker=cast.family.user
        )


def _measure(count_queries, api) -> list[tuple[int, dict]]:
    measured = []
    for url in URLS:
        with count_queries() as queries:
            response = api.get(url)
        assert response.status_code == 200, (url, response.content)
        measured.append((len(queries), response.json()))
    return measured


def test_the_case_list_reads_a_fixed_number_of_queries(count_queries, cast, make_person, agreement):
    api = ApiClient(Client(), token_for(cast.caseworker.user))
    _measure(count_queries, api)  # a token's first use is recorded once
    _add(cast, make_person, 5, 0)
    few = _measure(count_queries, api)
    _add(cast, make_person, 45, 5)
    many = _measure(count_queries, api)
    assert [body["count"] for _n, body in few] == [10, 10, 10]
    assert [body["count"] for _n, body in many] == [100, 100, 100]
    assert len(many[0][1]["results"]) == 20 and len(many[1][1]["results"]) == 100
    assert {item["organisation"] for item in many[1][1]["results"]} == {
        str(cast.lead_charity.pk),
        str(cast.family_charity.pk),
    }
    assert [n for n, _body in many] == [n for n, _body in few]
