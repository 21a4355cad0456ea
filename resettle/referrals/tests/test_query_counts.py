"""The referral dashboards and the API list read a fixed number of queries however many
referrals there are (5 rows and 50 rows read the same count), as the scale targets require."""

import pytest
from django.test import Client

from resettle.referrals.tests.conftest import refer
from resettle.testing import token_for

pytestmark = pytest.mark.django_db

PAGES = [
    ("coordinator", "/referrals/received/"),
    ("probation", "/referrals/sent/"),
    ("probation", "/referrals/sent/?sort=person&state=submitted"),
]
API = [
    ("probation", "/api/v1/referrals?box=sent"),
    ("coordinator", "/api/v1/referrals?box=received"),
]


def _add(cast, make_person, session, count: int, start: int) -> None:
    for n in range(start, start + count):
        person = make_person(cast.probation, given_name=f"Sam{n}", family_name="Count")
        refer(cast.probation, person, session, shared_categories=[], urgency="urgent")


def _measure(count_queries, clients: dict, tokens: dict) -> list[tuple[int, str]]:
    measured = []
    for who, url in PAGES + API:
        headers = {"Authorization": f"Bearer {tokens[who]}"} if url in dict(API).values() else {}
        with count_queries() as queries:
            response = clients[who].get(url, headers=headers)
        assert response.status_code == 200, url
        measured.append((len(queries), response.content.decode()))
    return measured


def test_lists_read_a_fixed_number_of_queries(count_queries, cast, make_person, session):
    clients, tokens = {}, {}
    for who in ("coordinator", "probation"):
        clients[who] = Client()
        clients[who].force_login(getattr(cast, who).user)
        tokens[who] = token_for(getattr(cast, who).user)
    _measure(count_queries, clients, tokens)  # a token's first use is recorded once
    _add(cast, make_person, session, 5, 0)
    few = _measure(count_queries, clients, tokens)
    _add(cast, make_person, session, 45, 5)
    many = _measure(count_queries, clients, tokens)
    assert "5 referrals" in few[0][1] and "50 referrals" in many[0][1]
    assert "50 referrals" in many[1][1]
    assert all('"count": 50' in body or '"count":50' in body for _n, body in many[3:])
    assert [n for n, _body in many] == [n for n, _body in few]
