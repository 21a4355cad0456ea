"""The directory pages: the signed-in list with filters and eligibility, managing a service,
and the public pages, which show open services only and nothing about people."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from resettle.audit.models import AuditAction, AuditEvent
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.directory import services
from resettle.directory.models import Access, CustodyEligibility, Service, ServiceStatus

pytestmark = pytest.mark.django_db
LIST = reverse("directory:service_list")


def signed_in(client, actor):
    client.force_login(actor.user)
    return client


def test_the_list_filters_by_pathway_and_access(client, cast, make_service):
    make_service(name="Football", pathways=["sport"])
    make_service(name="Housing advice", pathways=["accommodation"], access=Access.OPEN)

    page = signed_in(client, cast.caseworker).get(LIST, {"pathway": "sport"})
    assert page.status_code == 200
    assert "Football" in page.text and "Housing advice" not in page.text
    page = client.get(LIST, {"access": "open"})
    assert "Housing advice" in page.text and "Football" not in page.text
    page = client.get(LIST, {"q": "nothing like this"})
    assert "No services match" in page.text


def test_the_list_counts_in_constant_queries(
    client, cast, make_service, django_assert_max_num_queries
):
    signed_in(client, cast.caseworker).get(LIST)
    for number in range(3):
        make_service(name=f"S{number}")
    with django_assert_max_num_queries(12) as first:
        client.get(LIST)
    for number in range(3, 10):
        make_service(name=f"S{number}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(LIST)


def test_eligible_for_a_person_shows_reasons_and_never_custody_not_shared(
    client, cast, make_service, make_person
):
    make_service(name="Adults only", minimum_age=18)
    make_service(
        name="Before release",
        custody_status=CustodyEligibility.PRE_RELEASE,
        release_window_weeks=12,
    )
    person = make_person(cast.probation, date_of_birth=date(2010, 1, 1))
    CustodyPeriod.objects.create(
        person=person,
        kind=CustodyKind.SENTENCE,
        establishment="HMP X",
        start_date=date.today() - timedelta(days=100),
        expected_release_date=date.today() + timedelta(weeks=4),
        recorded_by=cast.probation.user,
    )

    page = signed_in(client, cast.probation).get(LIST, {"person": str(person.pk)})

    assert page.status_code == 200
    assert "the service is for people aged 18 or over" in page.text
    assert page.text.count('govuk-tag--green">Eligible') == 1
    # No agreement gives probation custody here: the rule is left to check, never a reason.
    assert "Custody status not shared with you" in page.text
    assert not AuditEvent.objects.filter(
        person_id=person.pk, action=AuditAction.READ, category="custody"
    ).exists()
    only = client.get(LIST, {"person": str(person.pk), "eligible": "yes"})
    assert "Before release" in only.text and "Adults only" not in only.text


def test_a_person_the_actor_may_not_see_is_a_404(client, cast, make_person):
    person = make_person(cast.probation)
    assert signed_in(client, cast.housing).get(LIST, {"person": str(person.pk)}).status_code == 404


def test_a_coordinator_adds_a_service_through_the_form(client, cast):
    response = signed_in(client, cast.coordinator).post(
        reverse("directory:service_create"),
        {
            "name": "Boxing",
            "description": "Circuits",
            "access": "open",
            "pathways": ["sport"],
            "eligible_gender": "any",
            "custody_status": "any",
            "has_waiting_list": "yes",
            "minimum_age": "30",
            "maximum_age": "18",
        },
    )
    assert response.status_code == 200
    assert "Maximum age must be the same as or more than the minimum age" in response.text

    response = client.post(
        reverse("directory:service_create"),
        {
            "name": "Boxing",
            "description": "Circuits",
            "access": "open",
            "pathways": ["sport"],
            "eligible_gender": "any",
            "custody_status": "any",
            "has_waiting_list": "yes",
            "postcode_districts": "nv1, NV2",
        },
    )
    service = Service.objects.get(name="Boxing")
    assert response.status_code == 302
    assert service.postcode_districts == ["NV1", "NV2"]


def test_another_organisation_cannot_edit_and_deactivation_asks_first(client, cast, make_service):
    service = make_service()
    edit = reverse("directory:service_edit", args=[service.pk])
    assert signed_in(client, cast.admin).get(edit).status_code == 403

    deactivate = reverse("directory:service_deactivate", args=[service.pk])
    page = signed_in(client, cast.coordinator).get(deactivate)
    assert "Are you sure you want to deactivate this service?" in page.text
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    assert client.post(deactivate).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.INACTIVE


def test_ending_sessions_puts_a_refused_date_beside_the_date(client, cast, make_service):
    service = make_service()
    schedule = services.schedule_add(
        actor=cast.coordinator,
        service=service,
        data={
            "valid_from": date(2026, 1, 5),
            "opens_at": time(10),
            "closes_at": time(12),
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
        },
    )
    end = reverse("directory:schedule_end", args=[service.pk, schedule.pk])

    page = signed_in(client, cast.coordinator).post(
        end, {"last_date_day": "1", "last_date_month": "1", "last_date_year": "2026"}
    )

    assert page.status_code == 200
    assert 'id="id_last_date-error"' in page.text
    assert "must be the same as or after the first session date" in page.text
    response = client.post(
        end, {"last_date_day": "2", "last_date_month": "2", "last_date_year": "2026"}
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.valid_to == date(2026, 2, 2)


def test_the_public_directory_lists_open_services_without_figures(client, cast, make_service):
    open_one = make_service(name="Open football", access=Access.OPEN, capacity=10)
    hidden = make_service(name="Referral football")

    page = client.get(reverse("directory:public_list"))
    assert page.status_code == 200
    assert "Open football" in page.text and "Referral football" not in page.text
    detail = client.get(reverse("directory:public_detail", args=[open_one.pk]))
    assert detail.status_code == 200
    assert "in use" not in detail.text and "Capacity" not in detail.text
    assert client.get(reverse("directory:public_detail", args=[hidden.pk])).status_code == 404


def test_deactivating_has_a_red_button_and_reactivating_a_plain_one(client, cast, make_service):
    service = make_service()
    client = signed_in(client, cast.coordinator)
    deactivate = client.get(reverse("directory:service_deactivate", args=[service.pk])).text
    assert 'class="govuk-button govuk-button--warning"' in deactivate
    assert ">Deactivate the service</button>" in deactivate
    reactivate = client.get(reverse("directory:service_reactivate", args=[service.pk])).text
    assert 'class="govuk-button"' in reactivate and "govuk-button--warning" not in reactivate
    assert ">Reactivate the service</button>" in reactivate


def test_stopping_sessions_has_a_red_button_and_lists_what_to_fix(client, cast, make_service):
    service = make_service()
    schedule = services.schedule_add(
        actor=cast.coordinator,
        service=service,
        data={
            "valid_from": date(2026, 1, 5),
            "opens_at": time(10),
            "closes_at": time(12),
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
        },
    )
    end = reverse("directory:schedule_end", args=[service.pk, schedule.pk])
    client = signed_in(client, cast.coordinator)
    page = client.get(end).text
    assert "govuk-button--warning" in page and ">Stop the sessions</button>" in page
    refused = client.post(end, {}).text
    assert "govuk-error-summary" in refused
    assert "Enter the date of the last session" in refused
