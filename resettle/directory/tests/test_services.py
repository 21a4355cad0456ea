"""Writes to the directory: validation, permissions, audit; services are never deleted."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.directory import selectors, services
from resettle.directory.models import CustodyEligibility, ServiceStatus
from resettle.directory.tests.conftest import service_data
from resettle.referrals.models import Referral, ReferralState

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_coordinator_adds_a_service_tagged_with_its_pathway_terms_and_audited(cast):
    service = services.service_create(
        actor=cast.coordinator, data=service_data(pathways=["sport", "health"])
    )

    assert service.organisation == cast.football_trust
    assert sorted(service.taxonomy_terms.values_list("code", flat=True)) == ["health", "sport"]
    event = AuditEvent.objects.get(object_type="service", object_id=str(service.pk))
    assert event.action == AuditAction.CREATE
    assert event.changes["name"] == [None, "Monday football"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"minimum_age": 30, "maximum_age": 18}, "maximum_age", "Maximum age must be the same as"),
        (
            {"custody_status": CustodyEligibility.PRE_RELEASE},
            "release_window_weeks",
            "Enter how many weeks",
        ),
        (
            {"postcode_districts": ["NV1 1AA"]},
            "postcode_districts",
            "Enter postcode districts like",
        ),
        ({"pathways": []}, "pathways", "Choose at least one pathway"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(cast, changes, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(actor=cast.coordinator, data=service_data(**changes))

    assert errors_of(excinfo)[field][0].startswith(message)


def test_districts_are_normalised(cast):
    service = services.service_create(
        actor=cast.coordinator, data=service_data(postcode_districts=["nv1", " NV2", "NV1"])
    )
    assert service.postcode_districts == ["NV1", "NV2"]


def test_only_the_own_organisations_managers_change_a_service(cast, make_service):
    service = make_service()

    for actor in (cast.caseworker, cast.admin, cast.manager):
        with pytest.raises(PermissionDenied):
            services.service_update(actor=actor, service=service, data={"name": "Taken over"})
    with pytest.raises(PermissionDenied):
        services.service_create(actor=cast.caseworker, data=service_data())


def test_a_change_is_audited_with_what_changed(cast, make_service):
    service = make_service()
    services.service_update(actor=cast.coordinator, service=service, data={"capacity": 12})

    event = AuditEvent.objects.filter(object_id=str(service.pk)).latest("id")
    assert event.action == AuditAction.UPDATE
    assert event.changes == {"capacity": [None, "12"]}


def test_deactivating_keeps_the_service_and_cannot_happen_twice(cast, make_service):
    service = make_service()
    services.service_deactivate(actor=cast.coordinator, service=service)

    service.refresh_from_db()
    assert service.status == ServiceStatus.INACTIVE
    with pytest.raises(ApplicationError):
        services.service_deactivate(actor=cast.coordinator, service=service)
    services.service_reactivate(actor=cast.coordinator, service=service)
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE


def test_a_schedule_needs_a_valid_rule_and_times_in_order(cast, make_service):
    service = make_service()
    base = {"valid_from": date(2026, 1, 5), "opens_at": time(10), "closes_at": time(12)}

    with pytest.raises(ValidationError) as excinfo:
        services.schedule_add(
            actor=cast.coordinator, service=service, data=base | {"rrule": "FREQ=SOMETIMES"}
        )
    assert "rrule" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.schedule_add(
            actor=cast.coordinator,
            service=service,
            data=base | {"rrule": "FREQ=WEEKLY;BYDAY=MO", "closes_at": time(9)},
        )
    assert "closes_at" in errors_of(excinfo)

    schedule = services.schedule_add(
        actor=cast.coordinator, service=service, data=base | {"rrule": "rrule:freq=weekly;byday=mo"}
    )
    assert schedule.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert selectors.describe_rule(schedule.rrule) == "Every Monday"
    assert selectors.next_sessions(schedule, after=date(2026, 11, 23)) == [
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 12, 7),
    ]
    schedule = services.schedule_end(
        actor=cast.coordinator, schedule=schedule, last_date=date(2026, 11, 30)
    )
    assert selectors.next_sessions(schedule, after=date(2026, 11, 23)) == [
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]


def test_a_location_postcode_must_be_real(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.location_create(
            actor=cast.coordinator, data={"name": "Ground", "postcode": "NOPE"}
        )
    assert "postcode" in errors_of(excinfo)
    location = services.location_create(
        actor=cast.coordinator, data={"name": "Ground", "postcode": "nv11aa"}
    )
    assert location.postcode == "NV1 1AA"


def _refer(cast, service, person, state):
    return Referral.objects.create(
        person=person,
        service=service,
        referring_organisation=cast.lead_charity,
        referred_by=cast.caseworker.user,
        state=state,
        reason="Test",
        pathway="sport",
        submitted_at=None if state == ReferralState.DRAFT else "2026-11-01T10:00:00Z",
    )


def test_caseload_full_and_waiting_list_count_referrals_by_state(cast, make_service, make_person):
    service = make_service(capacity=2)
    for state in (
        ReferralState.ACCEPTED,
        ReferralState.IN_PROGRESS,
        ReferralState.WAITING_LIST,
        ReferralState.SUBMITTED,
        ReferralState.COMPLETED,
    ):
        _refer(cast, service, make_person(cast.caseworker), state)

    assert selectors.service_caseload(service) == 2
    assert selectors.waiting_list_count(service) == 1
    assert selectors.is_full(service)
    listed = selectors.service_list(actor=cast.caseworker).get(pk=service.pk)
    assert (listed.caseload, listed.waiting) == (2, 1)


def test_the_list_counts_in_one_query(cast, make_service, django_assert_num_queries):
    for number in range(5):
        make_service(name=f"Service {number}", capacity=3)
    with django_assert_num_queries(1):
        services_list = list(selectors.service_list(actor=cast.caseworker))
        assert [selectors.is_full(s) for s in services_list] == [False] * 5
