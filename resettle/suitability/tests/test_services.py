"""Recording assessments (each new one supersedes the last, never overwrites it), asking for a
review, and the rules on who may do either."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from resettle.access.categories import Category
from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.notifications.models import Notification
from resettle.suitability import services
from resettle.suitability.models import (
    SuitabilityAssessment,
    SuitabilityReviewRequest,
    one_year_after,
)
from resettle.suitability.tests.conftest import NAMES, record

pytestmark = pytest.mark.django_db


def test_probation_records_an_assessment_with_its_assessor_and_audit_event(cast, person, agreement):
    assessment = record(cast.probation, person)

    assert assessment.assessed_by == cast.probation.user
    assert assessment.assessor_organisation == cast.probation_unit
    assert assessment.supersedes is None
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(assessment.pk))
    assert event.category == Category.RISK_SUITABILITY
    assert event.person_id == person.pk
    assert event.changes["sessions_with_under_18s_present"] == [None, "no"]


def test_the_audit_trail_never_holds_the_named_people(cast, person, agreement):
    record(cast.probation, person, named_contact_restriction="yes", named_people_to_avoid=NAMES)

    assert not any(NAMES in str(event.changes) for event in AuditEvent.objects.all())


@pytest.mark.parametrize("assessor", ["prison", "caseworker"])
def test_prison_and_the_lead_charity_may_record_too(cast, make_person, agreement, assessor):
    actor = getattr(cast, assessor)
    person = make_person(actor)

    assert record(actor, person).assessor_organisation == actor.organisation


def test_a_second_assessment_supersedes_the_first_which_stays_unchanged(cast, person, agreement):
    first = record(cast.probation, person)
    second = record(
        cast.probation,
        person,
        assessed_on=date.today(),
        sessions_with_under_18s_present="yes_with_measures",
    )

    first.refresh_from_db()
    assert second.supersedes == first
    assert first.superseded_by == second
    assert first.sessions_with_under_18s_present == "no"
    assert list(
        SuitabilityAssessment.objects.filter(person=person, superseded_by__isnull=True)
    ) == [second]
    superseded = AuditEvent.objects.get(action=AuditAction.STATE_CHANGE, object_id=str(first.pk))
    assert superseded.changes == {"superseded_by": [None, str(second.pk)]}


def test_a_new_assessment_cannot_be_dated_before_the_current_one(cast, person, agreement):
    record(cast.probation, person, assessed_on=date.today() - timedelta(days=3))

    with pytest.raises(ValidationError) as raised:
        record(cast.probation, person, assessed_on=date.today() - timedelta(days=10))

    assert "assessed_on" in raised.value.message_dict
    assert SuitabilityAssessment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"review_on": date.today() - timedelta(days=1)}, "review_on"),
        ({"review_on": date.today()}, "review_on"),
        (
            {
                "assessed_on": date.today(),
                "review_on": one_year_after(date.today()) + timedelta(days=1),
            },
            "review_on",
        ),
        ({"assessed_on": date.today() + timedelta(days=1)}, "assessed_on"),
        ({"sessions_with_under_18s_present": ""}, "sessions_with_under_18s_present"),
        ({"two_staff_needed": ""}, "two_staff_needed"),
        ({"one_to_one_sessions": "maybe"}, "one_to_one_sessions"),
        ({"measures": "  "}, "measures"),
        ({"named_contact_restriction": "yes"}, "named_people_to_avoid"),
        ({"named_people_to_avoid": NAMES}, "named_people_to_avoid"),
        ({"assessor_contact": ""}, "assessor_contact"),
        ({"offence": "Anything at all"}, "offence"),
    ],
    ids=[
        "review-in-the-past",
        "review-today",
        "review-beyond-12-months",
        "assessed-in-the-future",
        "missing-answer",
        "missing-two-staff",
        "unknown-answer",
        "measures-missing-for-yes-with-measures",
        "names-missing-for-restriction",
        "names-without-restriction",
        "no-contact",
        "no-field-for-offences",
    ],
)
def test_invalid_assessments_save_nothing(cast, person, agreement, changes, field):
    with pytest.raises(ValidationError) as raised:
        record(cast.probation, person, **changes)

    assert field in raised.value.message_dict
    assert not SuitabilityAssessment.objects.exists()
    assert not AuditEvent.objects.filter(object_type="suitability_assessment").exists()


def test_a_review_date_exactly_12_months_ahead_is_accepted(cast, person, agreement):
    today = date.today()
    assessment = record(cast.probation, person, assessed_on=today, review_on=one_year_after(today))

    assert assessment.review_on == one_year_after(today)


def test_12_months_from_29_february_is_28_february():
    assert one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)


@pytest.mark.parametrize("who", ["coordinator", "mentor", "housing", "manager", "analyst"])
def test_partners_and_aggregate_roles_cannot_record(cast, make_person, agreement, who):
    actor = getattr(cast, who)
    person = make_person(actor, cast.probation)

    with pytest.raises(PermissionDenied):
        record(actor, person)
    assert not SuitabilityAssessment.objects.exists()


def test_an_assessor_not_working_with_the_person_cannot_record(cast, make_person, agreement):
    person = make_person(cast.coordinator)

    with pytest.raises(PermissionDenied):
        record(cast.probation, person)


def test_an_assessor_without_the_category_cannot_record(cast, person):
    # No agreement gives probation risk and suitability: it cannot replace what it cannot read.
    with pytest.raises(PermissionDenied):
        record(cast.probation, person)


def test_an_ended_membership_cannot_record(cast, person, agreement):
    cast.probation.ended_on = date.today()
    cast.probation.save()

    with pytest.raises(PermissionDenied):
        record(cast.probation, person)


def test_the_database_refuses_two_first_assessments_of_one_person(cast, person, agreement):
    first = record(cast.probation, person)
    duplicate = SuitabilityAssessment(
        **{f.name: getattr(first, f.name) for f in first._meta.concrete_fields if f.name != "id"}
    )
    duplicate.supersedes = None

    with pytest.raises(IntegrityError):
        duplicate.save()


def test_the_database_refuses_names_without_a_restriction(cast, person, agreement):
    assessment = record(cast.probation, person)

    with pytest.raises(IntegrityError):
        SuitabilityAssessment.objects.filter(pk=assessment.pk).update(named_people_to_avoid=NAMES)


# Review requests -----------------------------------------------------------------------------


def test_a_partner_asks_for_a_review_and_the_assessor_is_told(cast, person, agreement):
    assessment = record(cast.probation, person)

    review = services.suitability_review_request(
        actor=cast.coordinator, assessment=assessment, note="Can he join Tuesday's group?"
    )

    assert review.requested_by == cast.coordinator.user
    assert review.organisation == cast.football_trust
    assert review.done_at is None
    notification = Notification.objects.get(recipient=cast.probation.user)
    assert "review" in notification.subject
    assert person.full_name not in notification.subject + notification.body
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="suitability_review_request"
    ).exists()


def test_a_new_assessment_closes_the_open_review_requests(cast, person, agreement):
    first = record(cast.probation, person)
    review = services.suitability_review_request(actor=cast.coordinator, assessment=first)

    second = record(cast.probation, person, assessed_on=date.today())

    review.refresh_from_db()
    assert review.done_at is not None
    assert review.answered_by == second


def test_an_organisation_asks_only_once_for_the_same_assessment(cast, person, agreement):
    assessment = record(cast.probation, person)
    services.suitability_review_request(actor=cast.coordinator, assessment=assessment)

    with pytest.raises(ApplicationError):
        services.suitability_review_request(actor=cast.coordinator, assessment=assessment)
    assert SuitabilityReviewRequest.objects.count() == 1


def test_a_replaced_assessment_cannot_be_sent_for_review(cast, person, agreement):
    first = record(cast.probation, person)
    record(cast.probation, person, assessed_on=date.today())

    with pytest.raises(ApplicationError):
        services.suitability_review_request(actor=cast.coordinator, assessment=first)


def test_assessors_record_rather_than_ask(cast, person, agreement):
    assessment = record(cast.probation, person)

    with pytest.raises(PermissionDenied):
        services.suitability_review_request(actor=cast.probation, assessment=assessment)


def test_a_partner_without_the_category_cannot_ask(cast, person, assessors_only):
    assessment = record(cast.probation, person)

    with pytest.raises(PermissionDenied):
        services.suitability_review_request(actor=cast.coordinator, assessment=assessment)


def test_a_person_can_still_be_deleted_with_their_whole_history(cast, person, agreement):
    first = record(cast.probation, person, assessed_on=date.today() - timedelta(days=9))
    services.suitability_review_request(actor=cast.coordinator, assessment=first)
    record(cast.probation, person)

    person.delete()

    assert not SuitabilityAssessment.objects.exists()
    assert not SuitabilityReviewRequest.objects.exists()
