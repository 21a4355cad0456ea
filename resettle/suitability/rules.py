"""Who may read and record suitability assessments. Written here while resettle/access/policy.py
is being extended; these belong in that one policy module and should move there.

Reading the answers is the data category `risk_suitability`: the policy decides it from the
working relationship, the sharing agreement, consent and break-glass. Recording is for the
organisations that assess: probation, prison and the lead charity.
"""

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind, Role
from resettle.people.models import Person
from resettle.suitability.models import SuitabilityAssessment

ASSESSOR_ROLES = frozenset({Role.REFERRER, Role.CASEWORKER})
ASSESSOR_KINDS = frozenset(
    {OrganisationKind.PROBATION, OrganisationKind.PRISON, OrganisationKind.LEAD_CHARITY}
)


def can_view_suitability(actor: Membership | None, person: Person) -> bool:
    return policy.can_view_category(actor, person, Category.RISK_SUITABILITY)


def is_assessor(actor: Membership | None) -> bool:
    """Whether the actor's role and organisation are ones that assess suitability at all."""
    return (
        policy.is_current(actor)
        and actor.role in ASSESSOR_ROLES
        and actor.organisation.kind in ASSESSOR_KINDS
    )


def can_record_suitability(actor: Membership | None, person: Person) -> bool:
    """An assessor working with the person. A new assessment replaces the current one, so the
    assessor must also be able to read it (the category), or they would replace it unseen."""
    return (
        is_assessor(actor)
        and policy.can_view_person(actor, person)
        and can_view_suitability(actor, person)
    )


def can_request_review(actor: Membership | None, person: Person) -> bool:
    """Those who see the answers but do not assess ask the assessor to look again."""
    return (
        policy.is_current(actor) and not is_assessor(actor) and can_view_suitability(actor, person)
    )


def can_see_named_people(actor: Membership | None, assessment: SuitabilityAssessment) -> bool:
    """Names of people to avoid stay with the organisation that assessed; partners are told a
    restriction applies and to ask the assessor."""
    return policy.is_current(actor) and actor.organisation_id == assessment.assessor_organisation_id
