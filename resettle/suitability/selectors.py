"""Reads of suitability assessments, only for those the policy lets see the category. Every read
that shows answers records it in the audit trail."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.audit.services import record_read
from resettle.people.models import Person
from resettle.suitability.models import SuitabilityAssessment, SuitabilityReviewRequest

ASSESSMENT = "suitability.SuitabilityAssessment"
# How many open review requests an assessor's home page lists.
HOME_REQUESTS_SHOWN = 10


@dataclass
class PersonSuitability:
    """What a person's suitability page shows: the current assessment, the earlier ones, and
    the open review requests."""

    current: SuitabilityAssessment | None
    earlier: list[SuitabilityAssessment] = field(default_factory=list)
    open_requests: list[SuitabilityReviewRequest] = field(default_factory=list)


def _assessments() -> QuerySet[SuitabilityAssessment]:
    return SuitabilityAssessment.objects.select_related(
        "assessed_by", "assessor_organisation", "superseded_by"
    )


def assessment_history(*, person: Person) -> list[SuitabilityAssessment]:
    """Every assessment of the person, newest first; the first is the current one. Callers
    check the policy first (`policy.can_view_suitability`)."""
    assessments = list(_assessments().filter(person=person))
    # Follow the chain rather than trust dates: the current one is the one nothing replaced.
    by_supersedes = {a.supersedes_id: a for a in assessments}
    ordered: list[SuitabilityAssessment] = []
    following = by_supersedes.get(None)
    while following is not None:
        ordered.append(following)
        following = by_supersedes.get(following.pk)
    return ordered[::-1]


def person_suitability(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> PersonSuitability | None:
    """The person's assessments and open review requests, recording the read; None when the
    actor may not read suitability for this person (the page then says it is not shared)."""
    if not policy.can_view_suitability(actor, person):
        return None
    history = assessment_history(person=person)
    open_requests = list(
        SuitabilityReviewRequest.objects.filter(
            assessment__person=person, done_at__isnull=True
        ).select_related("requested_by", "organisation")
    )
    if history:
        record_read(
            actor=actor, person=person, categories=[category_of(ASSESSMENT)], request=request
        )
    return PersonSuitability(
        current=history[0] if history else None, earlier=history[1:], open_requests=open_requests
    )


def review_requests_for_assessor(
    *, actor: Membership | None, limit: int = HOME_REQUESTS_SHOWN
) -> list[SuitabilityReviewRequest]:
    """Open requests to review assessments the actor made for their current organisation, for
    people whose suitability they may still read: the assessor's tasks."""
    if actor is None or not policy.is_suitability_assessor(actor):
        return []
    people = policy.people_with_readable(actor, ASSESSMENT)
    return list(
        SuitabilityReviewRequest.objects.filter(
            done_at__isnull=True,
            assessment__assessed_by_id=actor.user_id,
            assessment__assessor_organisation_id=actor.organisation_id,
        )
        # Tested for each of the assessor's few open requests, rather than listing everyone
        # whose suitability they may read (SQLite would, for a probation service: seconds).
        .filter(Exists(people.filter(pk=OuterRef("assessment__person_id"))))
        .select_related("assessment__person", "organisation")
        .order_by("created_at")[:limit]
    )
