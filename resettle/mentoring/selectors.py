"""Reads for mentoring pages, already filtered by the access policy."""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Role
from resettle.audit.services import record_read
from resettle.cases.models import Case, CaseState
from resettle.mentoring.matching import MentorMatch, rank_mentors
from resettle.mentoring.models import (
    MenteePreferences,
    MentorAllocation,
    MentorProfile,
    SupervisionNote,
)
from resettle.people.models import Person
from resettle.suitability.models import (
    RESTRICTION_APPLIES,
    Answer,
    SuitabilityAssessment,
    YesNo,
)

CURRENT = Q(allocations__ended_on__isnull=True)


class _MenteeCount(TypedDict):
    current_mentees: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A profile with how many mentees it has now (with_mentee_counts).
    ProfileWithCount = WithAnnotations[MentorProfile, _MenteeCount]


def mentor_profiles(
    *, actor: Membership | None, status: str = "", query: str = ""
) -> "QuerySet[ProfileWithCount]":
    """The mentor profiles the actor may see, with how many mentees each has now."""
    profiles = with_mentee_counts(policy.mentor_profiles_visible_to(actor))
    if status == "active":
        profiles = profiles.filter(active=True)
    elif status == "inactive":
        profiles = profiles.filter(active=False)
    elif status == "expired":
        profiles = profiles.filter(
            Q(dbs_expires_on__isnull=True) | Q(dbs_expires_on__lte=date.today())
        )
    if query:
        profiles = profiles.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(area__icontains=query)
        )
    return profiles.order_by("user__first_name", "user__last_name")


def with_mentee_counts(profiles: QuerySet[MentorProfile]) -> "QuerySet[ProfileWithCount]":
    """Profiles with their user and organisation, and how many mentees each has now."""
    return profiles.select_related("user", "organisation").annotate(
        current_mentees=Count("allocations", filter=CURRENT)
    )


def current_mentees(*, actor: Membership | None, profile: MentorProfile) -> list[MentorAllocation]:
    """The mentor's current allocations, for people the actor may see."""
    return list(
        MentorAllocation.objects.filter(
            Exists(policy.people_visible_to(actor).filter(pk=OuterRef("case__person_id"))),
            mentor=profile,
            ended_on__isnull=True,
        )
        .select_related("case__person")
        .order_by("started_on")
    )


def supervision_notes(*, actor: Membership | None, profile: MentorProfile) -> list[SupervisionNote]:
    if not policy.can_read_supervision_notes(actor, profile):
        return []
    return list(profile.supervision_notes.select_related("written_by"))


def mentee_count(profile: MentorProfile) -> int:
    return profile.allocations.filter(ended_on__isnull=True).count()


# One person's mentoring ------------------------------------------------------------------------


@dataclass
class SuitabilityForMentoring:
    """What the suitability assessment means for matching this person with a mentor."""

    blocks: bool = False  # no mentor may be matched for one-to-one mentoring
    shared: bool = False  # the actor may read the answers
    notes: list[str] = field(default_factory=list)


def current_assessment(person: Person) -> SuitabilityAssessment | None:
    return (
        SuitabilityAssessment.objects.filter(person=person, superseded_by__isnull=True)
        .select_related("assessor_organisation")
        .first()
    )


def suitability_for_mentoring(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> SuitabilityForMentoring:
    """Reads the structured answers, never the named people: only the assessor's organisation
    sees names, so a named-contact restriction is a warning to ask the assessor.

    One-to-one sessions answered "no" stops matching even where the answers are not shared
    with the actor's organisation; then it says only that a restriction applies and whom to
    ask, as partners are told of named people."""
    assessment = current_assessment(person)
    result = SuitabilityForMentoring()
    name = person.preferred_name or person.given_name
    if assessment is None:
        result.notes.append(
            f"No suitability assessment has been recorded for {name}. Ask their probation "
            "practitioner whether one-to-one mentoring is suitable before a first meeting."
        )
        return result
    assessor = assessment.assessor_organisation.name
    result.blocks = assessment.one_to_one_sessions == Answer.NO
    result.shared = policy.can_view_suitability(actor, person)
    if not result.shared:
        if result.blocks:
            result.notes.append(
                f"{RESTRICTION_APPLIES} at {assessor}: a mentor cannot be matched for "
                "one-to-one mentoring."
            )
        else:
            result.notes.append(
                f"{name}'s suitability answers are not shared with your organisation. Ask "
                f"{assessor} before a first one-to-one meeting."
            )
        return result
    record_read(actor=actor, person=person, categories=[Category.RISK_SUITABILITY], request=request)
    ask = f"the assessor at {assessor} ({assessment.assessor_contact})"
    if result.blocks:
        result.notes.append(
            f"The suitability assessment says {name} may not have one-to-one sessions, so a "
            f"mentor cannot be matched for one-to-one mentoring. Talk to {ask} about group "
            "support or a review."
        )
    elif assessment.one_to_one_sessions == Answer.YES_WITH_MEASURES:
        result.notes.append(f"One-to-one sessions need these measures: {assessment.measures}")
    if assessment.two_staff_needed == YesNo.YES:
        result.notes.append("Two staff are needed: the mentor should not meet them alone.")
    if assessment.named_contact_restriction == YesNo.YES:
        result.notes.append(
            f"They must not be in contact with named people. Before allocating, ask {ask} "
            "whether the mentor you choose is one of them."
        )
    if assessment.areas_to_avoid:
        result.notes.append(f"Areas to avoid: {assessment.areas_to_avoid}")
    if assessment.expired:
        result.notes.append(
            f"The assessment was due for review on {assessment.review_on:%-d %B %Y}: ask {ask} "
            "for a review."
        )
    return result


def live_case(*, actor: Membership, person: Person) -> Case | None:
    """The actor's organisation's open or paused case for the person."""
    return (
        Case.objects.filter(person=person, organisation_id=actor.organisation_id)
        .exclude(state=CaseState.CLOSED)
        .select_related("mentor")
        .first()
    )


def current_allocation(*, actor: Membership, person: Person) -> MentorAllocation | None:
    return (
        MentorAllocation.objects.filter(
            case__person=person,
            case__organisation_id=actor.organisation_id,
            ended_on__isnull=True,
        )
        .select_related("mentor__user", "case")
        .first()
    )


def allocation_history(*, actor: Membership, person: Person) -> list[MentorAllocation]:
    """Every mentor the actor's organisation has allocated to the person, newest first."""
    return list(
        MentorAllocation.objects.filter(
            case__person=person, case__organisation_id=actor.organisation_id
        ).select_related("mentor__user", "allocated_by", "ended_by")
    )


def preferences_for(*, actor: Membership, person: Person) -> MenteePreferences | None:
    return MenteePreferences.objects.filter(
        person=person, organisation_id=actor.organisation_id
    ).first()


def mentor_matches(
    *, actor: Membership, person: Person, preferences: MenteePreferences | None
) -> list[MentorMatch]:
    """The actor's organisation's mentors, ranked for the person. Managers only (the view
    checks `can_allocate_mentor`), so every profile of the organisation is a candidate."""
    # Only people who still mentor for the organisation.
    mentoring = Membership.objects.filter(
        user_id=OuterRef("user_id"),
        organisation_id=actor.organisation_id,
        role=Role.PEER_MENTOR,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=date.today()))
    profiles = mentor_profiles(actor=actor).filter(
        Exists(mentoring), organisation_id=actor.organisation_id
    )
    current = current_allocation(actor=actor, person=person)
    candidates = [
        (profile, profile.current_mentees)
        for profile in profiles
        if current is None or profile.pk != current.mentor_id
    ]
    return rank_mentors(candidates, preferences)
