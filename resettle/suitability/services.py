"""Every write to suitability assessments and review requests. Each checks the rules, validates
everything before saving anything, records the audit trail and runs in one transaction."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_event, record_events
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.superseding import save_superseding
from resettle.notifications.services import notify
from resettle.people.models import Person
from resettle.suitability.models import (
    ANSWER_FIELDS,
    YES_NO_FIELDS,
    SuitabilityAssessment,
    SuitabilityReviewRequest,
)

ASSESSMENT_FIELDS = frozenset(
    {
        "assessed_on",
        "review_on",
        "assessor_contact",
        *ANSWER_FIELDS,
        *YES_NO_FIELDS,
        "areas_to_avoid",
        "measures",
        "named_people_to_avoid",
    }
)
# What the audit trail records of a new assessment: the structured answers and dates. The free
# text (names above all) stays in the assessment, where the rules on who may read it apply.
AUDITED_FIELDS = ("assessed_on", "review_on", *ANSWER_FIELDS, *YES_NO_FIELDS)
ASSESSMENT = "suitability_assessment"
REVIEW_REQUEST = "suitability_review_request"


def _check_fields(data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - ASSESSMENT_FIELDS)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _current_assessment(person: Person) -> SuitabilityAssessment | None:
    return SuitabilityAssessment.objects.filter(person=person, superseded_by__isnull=True).first()


@transaction.atomic
def suitability_assessment_record(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> SuitabilityAssessment:
    """Record a new assessment of the person. It replaces the current one (which is kept,
    unchanged, as history) and closes the open requests to review it."""
    if not policy.can_record_suitability(actor, person):
        raise PermissionDenied("You cannot record suitability assessments for this person")
    _check_fields(data)
    # Assessments of one person are recorded one at a time, so two never replace the same one
    # (the database refuses that too: `supersedes` is unique).
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = _current_assessment(person)
    assessment = SuitabilityAssessment(
        person=person,
        supersedes=current,
        assessed_by=actor.user,
        assessor_organisation=actor.organisation,
        **data,
    )
    save_superseding(assessment, current, what="an assessment")

    answered = list(
        SuitabilityReviewRequest.objects.filter(assessment__person=person, done_at__isnull=True)
    )
    now = timezone.now()
    for review in answered:
        review.done_at = now
        review.answered_by = assessment
    SuitabilityReviewRequest.objects.bulk_update(answered, ["done_at", "answered_by"])

    new_values = {name: getattr(assessment, name) for name in AUDITED_FIELDS}
    events = [
        EventData(
            action=AuditAction.CREATE,
            object_type=ASSESSMENT,
            object_id=str(assessment.pk),
            person_id=person.pk,
            category=Category.RISK_SUITABILITY,
            changes=diff({}, new_values),
        )
    ]
    if current is not None:
        events.append(
            EventData(
                action=AuditAction.STATE_CHANGE,
                object_type=ASSESSMENT,
                object_id=str(current.pk),
                person_id=person.pk,
                category=Category.RISK_SUITABILITY,
                changes={"superseded_by": [None, str(assessment.pk)]},
            )
        )
    events.extend(
        EventData(
            action=AuditAction.STATE_CHANGE,
            object_type=REVIEW_REQUEST,
            object_id=str(review.pk),
            person_id=person.pk,
            category=Category.RISK_SUITABILITY,
            changes={"done_at": [None, now.isoformat()]},
        )
        for review in answered
    )
    record_events(actor=actor, events=events, request=request)
    return assessment


@transaction.atomic
def suitability_review_request(
    *,
    actor: Membership,
    assessment: SuitabilityAssessment,
    note: str = "",
    request: HttpRequest | None = None,
) -> SuitabilityReviewRequest:
    """Ask the assessor to review the current assessment: a task on their home page, and an
    in-app notification, until a new assessment is recorded."""
    person = assessment.person
    if not policy.can_request_suitability_review(actor, person):
        raise PermissionDenied("You cannot ask for a review of this assessment")
    if SuitabilityAssessment.objects.filter(supersedes=assessment).exists():
        raise ApplicationError("A newer assessment has been recorded. Look at that one first.")
    review = SuitabilityReviewRequest(
        assessment=assessment,
        requested_by=actor.user,
        organisation=actor.organisation,
        note=(note or "").strip(),
    )
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "Your organisation has already asked for a review of this assessment"
        ) from exc
    notify(
        recipients=[assessment.assessed_by] if assessment.assessed_by else [],
        organisation=assessment.assessor_organisation,
        subject="A partner asked you to review a suitability assessment",
        body=f"{actor.organisation.name} asked for a review of a suitability assessment you "
        f"recorded on {assessment.assessed_on:%-d %B %Y}.",
        link=reverse("suitability:person", args=[person.pk]),
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=REVIEW_REQUEST,
        object_id=review.pk,
        person=person,
        category=Category.RISK_SUITABILITY,
        request=request,
    )
    return review
