"""Paging: bounded counts, `next` past the counting limit, and a clear 404 past the end."""

import pytest

from resettle.api import paging

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations"  # seven in the partnership


def test_a_small_list_is_counted_exactly(api_as, cast):
    body = api_as(cast.caseworker).get(ORGANISATIONS, {"page_size": 3}).json()

    assert body["count"] == 7
    assert body["count_is_exact"] is True
    assert len(body["results"]) == 3
    assert "page=2" in body["next"]
    assert body["previous"] is None


def test_past_the_counting_limit_the_count_is_a_lower_bound(api_as, cast, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    api = api_as(cast.caseworker)

    first = api.get(ORGANISATIONS, {"page_size": 3}).json()
    assert first["count"] == 4
    assert first["count_is_exact"] is False

    # Following `next` still reaches every record, and the count grows with what has been seen.
    last = api.get(ORGANISATIONS, {"page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert last["count"] == 7
    assert last["count_is_exact"] is False
    seen = {o["id"] for p in (1, 2, 3) for o in api.get(
        ORGANISATIONS, {"page_size": 3, "page": p}
    ).json()["results"]}  # fmt: skip
    assert len(seen) == 7


def test_a_page_past_the_end_names_the_last_page(api_as, cast):
    response = api_as(cast.caseworker).get(ORGANISATIONS, {"page_size": 3, "page": 4})

    assert response.status_code == 404
    assert "There is no page 4; the last is 3." in response.json()["detail"]


def test_a_page_beyond_what_a_database_can_count_is_past_the_end_too(api_as, cast):
    huge = 138804224262309789696  # its offset is past a 64-bit integer
    response = api_as(cast.caseworker).get(ORGANISATIONS, {"page_size": 49, "page": huge})

    assert response.status_code == 404
    assert f"There is no page {huge}; the last is 1." in response.json()["detail"]


def test_the_page_size_is_bounded(api_as, cast):
    response = api_as(cast.caseworker).get(ORGANISATIONS, {"page_size": 101})

    assert response.status_code == 400
