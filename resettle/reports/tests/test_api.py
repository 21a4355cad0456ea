"""The quarterly return over the API: the figures and definitions DESIGN §6 names, a scope the
token's user may not see refused (403), a bad period invalid (400)."""

import pytest

from resettle.reports.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/quarterly-return"


def test_an_organisations_return_as_json(api_as, cast, quarter):
    response = api_as(cast.analyst).get(
        URL, {"organisation": str(cast.lead_charity.pk), "period": QUARTER}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["kind"] == "organisation" and body["exact"] is True
    assert body["period"]["quarter"] == QUARTER
    assert body["figures"]["people_supported"] == {"count": 5, "suppressed": False, "shown": "5"}
    assert body["figures"]["referrals_received"]["count"] == 3
    assert body["definitions"]["new_starts"].startswith("People whose first attended")
    ethnicity = {row["value"]: row["count"] for row in body["breakdowns"]["ethnicity"]}
    assert ethnicity["not_recorded"] == 1 and ethnicity["prefer_not_to_say"] == 1


def test_a_partnership_return_marks_suppressed_cells(api_as, cast, quarter):
    response = api_as(cast.manager).get(
        URL, {"partnership": str(cast.partnership.pk), "period": QUARTER}
    )

    body = response.json()
    assert body["exact"] is False
    assert body["figures"]["secondary_beneficiaries"] == {
        "count": None,
        "suppressed": True,
        "shown": "fewer than 5",
    }
    assert body["figures"]["supported_by_more_than_one"]["count"] == 0


def test_another_organisations_figures_are_refused_to_an_admin(api_as, cast):
    response = api_as(cast.admin).get(URL, {"organisation": str(cast.football_trust.pk)})

    assert response.status_code == 403


def test_caseworkers_are_refused(api_as, cast):
    assert api_as(cast.caseworker).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end"),
        ({"start": "2026-05-02"}, "end"),
        ({"start": "2026-05-02", "end": "2099-01-01"}, "end"),
        ({"period": "2099-Q1"}, "quarter"),
        ({"period": "spring"}, "period"),
    ],
)
def test_a_bad_period_is_invalid_naming_the_field(api_as, cast, query, field):
    response = api_as(cast.admin).get(URL, query)

    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_both_scopes_at_once_are_invalid(api_as, cast):
    response = api_as(cast.manager).get(
        URL, {"organisation": str(cast.lead_charity.pk), "partnership": str(cast.partnership.pk)}
    )

    assert response.status_code == 400
