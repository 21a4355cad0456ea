"""Who may add and change people, and see households."""

from django.db.models import Exists, OuterRef, QuerySet

from resettle.access.categories import Category
from resettle.access.core import (
    CREATE_PERSON_ROLES,
    Actor,
    about,
    acting_staff,
    can_view_person,
    get_or_404,
    people_with_category,
)
from resettle.accounts.models import Role
from resettle.people.models import Household, HouseholdMember, Person


def can_create_person(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in CREATE_PERSON_ROLES


def can_edit_person(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in CREATE_PERSON_ROLES | {Role.PEER_MENTOR}
        and can_view_person(actor, person)
    )


def households_visible_to(actor: Actor) -> QuerySet[Household]:
    """Households with a current member whose family information the actor may see: which
    household someone lives in is itself family information."""
    members = HouseholdMember.objects.filter(
        about(people_with_category(actor, Category.FAMILY_CHILDREN)),
        household_id=OuterRef("pk"),
        left_on__isnull=True,
    )
    return Household.objects.filter(Exists(members))


def get_household_for_actor(actor: Actor, household_id) -> Household:
    """The household, or the same 404 whether it is missing, not visible or not shared."""
    return get_or_404(households_visible_to(actor), household_id, "household")
