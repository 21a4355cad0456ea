"""The one place that decides who may see and change what (DESIGN §4). Deny by default.

Everything is decided for an *actor*: a user acting for one organisation in one role
(their current Membership). Views, API, fragments, search and exports all ask here.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from resettle.accounts.models import Membership, Organisation, Role
from resettle.people.models import Household, HouseholdMember, Person, WorkingRelationship

# Roles that work with individual people's records.
CASE_LEVEL_ROLES = frozenset(
    {Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR, Role.PEER_MENTOR}
)
# Roles that may add a person to Resettle (a new referral or a walk-in).
CREATE_PERSON_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})
ORGANISATION_ADMIN_ROLES = frozenset({Role.ORGANISATION_ADMIN})


def is_current(actor: Membership | None, on: date | None = None) -> bool:
    """A membership counts until the day it ends (an end date in the future is not yet ended)."""
    if actor is None:
        return False
    return actor.ended_on is None or actor.ended_on > (on or date.today())


def _current_working_relationships(actor: Membership, on: date) -> QuerySet[WorkingRelationship]:
    relationships = WorkingRelationship.objects.filter(
        organisation_id=actor.organisation_id, started_on__lte=on
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    if actor.role == Role.PEER_MENTOR:
        # A peer mentor sees only the people allocated to them.
        relationships = relationships.filter(allocated_to_id=actor.user_id)
    return relationships


def can_view_case_records(actor: Membership | None) -> bool:
    """Whether the actor's role works with individual people's records at all."""
    return is_current(actor) and actor.role in CASE_LEVEL_ROLES


def people_visible_to(actor: Membership | None, on: date | None = None) -> QuerySet[Person]:
    """The people whose record this actor may open. Lists, search, counts and exports use it."""
    if not can_view_case_records(actor) or not is_current(actor, on):
        return Person.objects.none()
    working = _current_working_relationships(actor, on or date.today())
    return Person.objects.filter(Exists(working.filter(person_id=OuterRef("pk"))))


def can_view_person(actor: Membership | None, person: Person) -> bool:
    return people_visible_to(actor).filter(pk=person.pk).exists()


def get_person_for_actor(actor: Membership | None, person_id) -> Person:
    """The person, or the same 404 whether they do not exist or are not this actor's to see."""
    try:
        return people_visible_to(actor).get(pk=person_id)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such person") from exc


def can_create_person(actor: Membership | None) -> bool:
    return is_current(actor) and actor.role in CREATE_PERSON_ROLES


def can_edit_person(actor: Membership | None, person: Person) -> bool:
    return (
        actor is not None
        and actor.role in CREATE_PERSON_ROLES | {Role.PEER_MENTOR}
        and can_view_person(actor, person)
    )


def households_visible_to(actor: Membership | None) -> QuerySet[Household]:
    """A household is visible while at least one current member is visible to the actor."""
    members = HouseholdMember.objects.filter(
        household_id=OuterRef("pk"), left_on__isnull=True, person__in=people_visible_to(actor)
    )
    return Household.objects.filter(Exists(members))


def get_household_for_actor(actor: Membership | None, household_id) -> Household:
    try:
        return households_visible_to(actor).get(pk=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such household") from exc


def organisations_visible_to(actor: Membership | None) -> QuerySet[Organisation]:
    """Organisations in any partnership the actor's organisation belongs to, and its own."""
    if not is_current(actor):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk=actor.organisation_id) | Q(partnerships__organisations=actor.organisation_id)
    ).distinct()


def can_edit_organisation(actor: Membership | None, organisation: Organisation) -> bool:
    return (
        is_current(actor)
        and actor.role in ORGANISATION_ADMIN_ROLES
        and actor.organisation_id == organisation.pk
    )
