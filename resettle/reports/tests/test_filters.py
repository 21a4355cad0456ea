"""Narrowing a report to one service, programme or pathway of its scope, for the quarter of
conftest: what each filter counts is stated in reports/figures.py, and checked here by hand."""

from datetime import timedelta
from uuid import uuid4

import pytest
import tablib
from django.urls import reverse

from resettle.directory.models import Access, Service
from resettle.referrals.models import Referral
from resettle.registers.models import Attendance, CompletionRule, Enrolment, Programme, Session
from resettle.reports import selectors
from resettle.reports.kinds import DATA_QUALITY, QUARTERLY_RETURN
from resettle.reports.parameters import NOT_FILTERABLE, filtered
from resettle.reports.tests.conftest import QUARTER, START, on

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
    assert response.json()["scope"]["filters"] == {
        "service": None,
        "programme": None,
        "pathway": {"value": "accommodation", "label": "Accommodation"},
    }
    bad = api_as(cast.admin).get("/api/v1/reports/quarterly-return", {"service": "not-a-uuid"})
    assert bad.status_code == 400


# Programmes -------------------------------------------------------------------------------------


@pytest.fixture
def programme(cast, quarter) -> Programme:
    """Housing advice runs a course: the repeat person was enrolled in it from their accepted
    referral and came to one session (an open one, with three more people counted at the door).
    Another session of the service, outside the course, had the refused person and two others."""
    housing = quarter.services[0]
    course = Programme.objects.create(
        service=housing,
        name="Tenancy ready",
        sessions_planned=4,
        completion_rule=CompletionRule.AT_LEAST,
        minimum_attended=3,
    )
    referral = Referral.objects.get(person=quarter.repeat, service=housing, state="accepted")
    Enrolment.objects.create(
        person=quarter.repeat,
        service=housing,
        programme=course,
        referral=referral,
        enrolled_on=START + timedelta(days=4),
    )
    for programme_, person, headcount, day in (
        (course, quarter.repeat, 3, 12),
        (None, quarter.refused, 2, 13),
    ):
        starts = on(START + timedelta(days=day), 18)
        session = Session.objects.create(
            service=housing,
            programme=programme_,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            open=True,
            unregistered_headcount=headcount,
        )
        Attendance.objects.create(session=session, person=person, status="attended")
    return course


def test_a_programme_filter_counts_its_sessions_and_the_referrals_enrolled_from(
    cast, quarter, programme
):
    everything = figures(cast.admin, quarter, service=None, pathway=None)
    counted = figures(cast.admin, quarter, service=None, pathway=None, programme=str(programme.pk))

    assert (everything["sessions_attended"], everything["unregistered_headcount"]) == (2, 5)
    # One referral (the accepted one the repeat person was enrolled from) of the three to
    # housing advice and the others this quarter; one attended session of the course, with its
    # headcount; the cases were opened without a referral, so no contact is the course's.
    assert counted["referrals_received"] == 1
    assert counted["sessions_attended"] == 1
    assert counted["contacts_attended"] == 1
    assert counted["unregistered_headcount"] == 3
    assert counted["people_supported"] == 1
    assert counted["new_starts"] == 1
    assert counted["active_caseload_at_period_end"] == 0
    # With its own service, the same; with another service, refused below.
    assert (
        figures(
            cast.admin,
            quarter,
            service=str(programme.service_id),
            pathway=None,
            programme=str(programme.pk),
        )
        == counted
    )


def test_the_page_and_every_file_say_which_programme(client_as, cast, quarter, programme):
    client = client_as(cast.admin)
    query = {"quarter": QUARTER, "programme": str(programme.pk)}

    page = client.get(reverse("reports:quarterly_return"), query)
    assert page.status_code == 200
    assert "programme: Tenancy ready (Housing advice)" in page.text
    assert "A programme filter counts" in page.text
    download = reverse("reports:quarterly_return_download")
    csv = client.get(download, {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert "programme: Tenancy ready (Housing advice)" in csv
    for file_format in ("xlsx", "ods"):
        book = client.get(download, {**query, "format": file_format})
        assert book.status_code == 200
        sheet = tablib.Databook().load(book.content, file_format).sheets()[0]
        assert ("Filters", "programme: Tenancy ready (Housing advice)") in [
            tuple(row) for row in sheet
        ]
    network = client.get(reverse("reports:referral_network"), query)
    assert network.status_code == 200 and "programme: Tenancy ready" in network.text


@pytest.mark.parametrize("which", ["elsewhere", "other_service", "not_an_id", "missing"])
def test_a_programme_outside_the_scope_is_refused_beside_the_field(
    client_as, cast, quarter, programme, which
):
    theirs = Service.objects.create(
        organisation=cast.football_trust,
        name="Walking football",
        description="Gentle football.",
        access=Access.BOTH,
        pathways=["sport"],
    )
    elsewhere = Programme.objects.create(
        service=theirs,
        name="Coaching badge",
        sessions_planned=6,
        completion_rule=CompletionRule.AT_LEAST,
        minimum_attended=5,
    )
    query, message = {
        "elsewhere": (
            {"programme": str(elsewhere.pk)},
            f"Choose one of {cast.lead_charity.name}&#x27;s programmes",
        ),
        "other_service": (
            {"programme": str(programme.pk), "service": str(quarter.services[1].pk)},
            "Choose a programme of Work ready, or all services",
        ),
        "not_an_id": ({"programme": "not-an-id"}, "programmes"),
        "missing": ({"programme": str(uuid4())}, "programmes"),
    }[which]

    response = client_as(cast.admin).get(reverse("reports:quarterly_return"), query)

    assert response.status_code == 400
    assert message in response.text
    assert 'id="id_programme-error"' in response.text


def test_reports_that_cannot_be_narrowed_refuse_a_programme(client_as, cast, programme):
    page = client_as(cast.admin).get(
        reverse(f"reports:{DATA_QUALITY.url_name}"), {"programme": str(programme.pk)}
    )

    assert page.status_code == 400 and NOT_FILTERABLE in page.text


def test_the_api_takes_a_programme(api_as, cast, quarter, programme):
    api = api_as(cast.admin)
    response = api.get(
        "/api/v1/reports/quarterly-return", {"period": QUARTER, "programme": str(programme.pk)}
    )

    assert response.status_code == 200
    assert response.json()["scope"]["filters"]["programme"] == {
        "id": str(programme.pk),
        "name": f"{programme.name} ({programme.service.name})",
    }
    body = response.json()["figures"]
    assert body["sessions_attended"]["count"] == 1
    assert body["referrals_received"]["count"] == 1
    assert body["unregistered_headcount"]["count"] == 3
    for bad in ("not-a-uuid", str(uuid4())):
        refused = api.get("/api/v1/reports/quarterly-return", {"programme": bad})
        assert refused.status_code == 400
        assert "programme" in {error["field"] for error in refused.json()["errors"]}
    unfilterable = api.get("/api/v1/reports/engagement", {"programme": str(programme.pk)})
    assert unfilterable.status_code == 400
