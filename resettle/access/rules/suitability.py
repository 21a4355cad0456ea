"""Suitability assessments: who reads, records and asks for a review."""

from typing import Any

from django.http import Http404

from resettle.access.core import (
    Actor,
    acting_staff,
    can_read,
    can_view_person,
    get_or_404,
    is_current,
)
from resettle.accounts.models import OrganisationKind, Role
from resettle.people.models import Person
from resettle.suitability.models import SuitabilityAssessment

# Suitability assessments ------------------------------------------------------------------------
#
# The answers are read under the registry's category of an assessment (risk & suitability).
# Recording is for the organisations that assess: probation, prison and the lead charity.

ASSESSMENT = "suitability.SuitabilityAssessment"

SUITABILITY_ASSESSOR_ROLES = frozenset({Role.REFERRER, Role.CASEWORKER})
SUITABILITY_ASSESSOR_KINDS = frozenset(
    {OrganisationKind.PROBATION, OrganisationKind.PRISON, OrganisationKind.LEAD_CHARITY}
)


def can_view_suitability(actor: Actor, person: Person) -> bool:
    return can_read(actor, person, ASSESSMENT)


def is_suitability_assessor(actor: Actor) -> bool:
    """Whether the actor's role and organisation are ones that assess suitability at all."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in SUITABILITY_ASSESSOR_ROLES
        and staff.organisation.kind in SUITABILITY_ASSESSOR_KINDS
    )


def can_record_suitability(actor: Actor, person: Person) -> bool:
    """An assessor working with the person. A new assessment replaces the current one, so the
    assessor must also be able to read it, or they would replace it unseen."""
    return (
        is_suitability_assessor(actor)
        and can_view_person(actor, person)
        and can_view_suitability(actor, person)
    )


def can_request_suitability_review(actor: Actor, person: Person) -> bool:
    """Those who see the answers but do not assess ask the assessor to look again."""
    return (
        is_current(actor)
        and not is_suitability_assessor(actor)
        and can_view_suitability(actor, person)
    )


def can_see_named_people_to_avoid(actor: Actor, assessment) -> bool:
    """Names of people to avoid stay with the organisation that assessed; partners are told a
    restriction applies and to ask the assessor."""
    staff = acting_staff(actor)
    return staff is not None and staff.organisation_id == assessment.assessor_organisation_id


def get_assessment_for_actor(actor: Actor, assessment_id: Any) -> SuitabilityAssessment:
    """The assessment, or the same 404 whether it does not exist, its person is not the actor's
    to see, or the actor may not read suitability for them."""
    assessment = get_or_404(
        SuitabilityAssessment.objects.select_related(
            "person", "assessed_by", "assessor_organisation", "superseded_by"
        ),
        assessment_id,
        "assessment",
    )
    if not can_view_suitability(actor, assessment.person):
        raise Http404("No such assessment")
    return assessment
