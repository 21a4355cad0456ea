"""Narrowing a report to one service or pathway of its scope, for the quarter of conftest: what
each filter counts is stated in reports/parameters.py, and checked here by hand."""

import pytest
from django.urls import reverse

from resettle.directory.models import Access, Service
from resettle.reports import selectors
from resettle.reports.kinds import DATA_QUALITY, QUARTERLY_RETURN
from resettle.reports.parameters import NOT_FILTERABLE, filtered
from resettle.reports.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db


def figures(actor, quarter, **filters) -> dict:
    scope = filtered(scope=selectors.report_scopes(actor=actor)[0], **filters)
    report = selectors.report_for(
        actor=actor, kind=QUARTERLY_RETURN, scope=scope, period=quarter.period
    )
    return {f.key: f.cell.count for f in report.figures}


def test_a_service_filter_counts_its_referrals_and_the_contacts_of_cases_from_them(cast, quarter):
    counted = figures(cast.admin, quarter, service=str(quarter.services[0].pk), pathway=None)

    # One referral to housing advice this quarter; the cases were opened without a referral,
    # so no contact belongs to the service.
    assert counted["referrals_received"] == 1
    assert counted["people_supported"] == 0
    assert counted["contacts_attended"] == 0
    assert counted["active_caseload_at_period_end"] == 0


def test_a_pathway_filter_counts_contacts_tagged_with_it(cast, quarter):
    housing = figures(cast.admin, quarter, service=None, pathway="accommodation")
    work = figures(cast.admin, quarter, service=None, pathway="education_employment")

    assert (housing["referrals_received"], housing["people_supported"]) == (1, 5)
    assert housing["contacts_attended"] == 6  # every contact here is about accommodation
    assert (work["referrals_received"], work["people_supported"]) == (1, 0)


def test_the_page_says_what_it_is_filtered_to(client_as, cast, quarter):
    service = quarter.services[1]
    response = client_as(cast.admin).get(
        reverse("reports:quarterly_return"), {"quarter": QUARTER, "service": str(service.pk)}
    )

    assert response.status_code == 200
    assert f"service: {service.name}" in response.text
    assert "A service filter counts" in response.text


def test_another_organisations_service_is_refused(client_as, cast, quarter):
    theirs = Service.objects.create(
        organisation=cast.football_trust,
        name="Walking football",
        description="Gentle football.",
        access=Access.BOTH,
        pathways=["sport"],
    )
    response = client_as(cast.admin).get(
        reverse("reports:quarterly_return"), {"service": str(theirs.pk)}
    )

    assert response.status_code == 400
    assert f"Choose one of {cast.lead_charity.name}" in response.text


def test_reports_that_cannot_be_filtered_say_so(client_as, api_as, cast):
    page = client_as(cast.admin).get(
        reverse(f"reports:{DATA_QUALITY.url_name}"), {"pathway": "accommodation"}
    )
    api = api_as(cast.admin).get("/api/v1/reports/data-quality", {"pathway": "accommodation"})

    assert page.status_code == 400 and NOT_FILTERABLE in page.text
    assert api.status_code == 400


def test_the_api_takes_the_same_filters(api_as, cast, quarter):
    response = api_as(cast.admin).get(
        "/api/v1/reports/quarterly-return", {"period": QUARTER, "pathway": "accommodation"}
    )

    assert response.status_code == 200
    assert response.json()["figures"]["people_supported"]["count"] == 5
    bad = api_as(cast.admin).get("/api/v1/reports/quarterly-return", {"service": "not-a-uuid"})
    assert bad.status_code == 400
