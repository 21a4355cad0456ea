"""What an organisation supporting one member of a family may see of the others.

A family-support worker plans around a parent's release without working with the parent: the
parent may consent to their release and licence dates being shared with the organisations
supporting their family. Only those dates, only where an agreement in force gives them to the
organisation, only with the relative's own current consent, and never across a relationship in
which either side wants no contact. A safeguarding lead who has broken glass on a person's family
information sees who their relatives are."""

from datetime import date
from typing import Any

from django.db.models import Q

from resettle.access.categories import CHILD_RECORD_KINDS, Category
from resettle.access.core import (
    Actor,
    access_for,
    can_view_case_records,
    category_reasons,
    eighteenth_birthday_cutoff,
)
from resettle.access.principals import Reason, StaffPrincipal
from resettle.consent.models import Consent
from resettle.people.choices import ContactWishes
from resettle.people.models import HouseholdMember, Person, Relationship

# Enough to plan around a release (a child's visits, a partner's tenancy); never the offence,
# risk or casework.
FAMILY_LINK_CATEGORIES = frozenset({Category.CUSTODY})


def relatives_of(person: Person) -> set[Any]:
    """The people related to `person` or living in a household with them now, except where
    either side wants no contact."""
    related = set(
        Relationship.objects.filter(person=person)
        .exclude(contact_wishes=ContactWishes.NO_CONTACT)
        .values_list("related_person_id", flat=True)
    )
    refused = set(
        Relationship.objects.filter(
            related_person=person, contact_wishes=ContactWishes.NO_CONTACT
        ).values_list("person_id", flat=True)
    )
    refused |= set(
        Relationship.objects.filter(
            person=person, contact_wishes=ContactWishes.NO_CONTACT
        ).values_list("related_person_id", flat=True)
    )
    households = HouseholdMember.objects.filter(person=person, left_on__isnull=True).values(
        "household_id"
    )
    housemates = set(
        HouseholdMember.objects.filter(household_id__in=households, left_on__isnull=True)
        .exclude(person=person)
        .values_list("person_id", flat=True)
    )
    return (related | housemates) - refused


def relatives_shared_by_consent(
    actor: Actor, person: Person, relative_ids: list[Any]
) -> dict[Any, frozenset[str]]:
    """Of `person`'s relatives among `relative_ids`, what the actor may read of each through the
    family: the FAMILY_LINK_CATEGORIES that an agreement in force gives the actor's organisation
    and that the relative's own current consent shares with it (or with its kind of
    organisation). Only for staff working with `person` who may read their family information;
    a child's dates only for family services."""
    access = access_for(actor)
    principal = access.principal
    if not isinstance(principal, StaffPrincipal) or not can_view_case_records(access):
        return {}
    if Category.FAMILY_CHILDREN not in access.categories(person):
        return {}
    offered = {str(c) for c in FAMILY_LINK_CATEGORIES} & set(access.agreement_grants())
    if not offered or not relative_ids:
        return {}
    relatives = relatives_of(person) & set(relative_ids)
    today = date.today()
    children_excluded = principal.staff.organisation.kind not in CHILD_RECORD_KINDS and not (
        offered & principal.child_grants(today)
    )
    consents = Consent.objects.filter(
        principal.consent_covers(today), person_id__in=relatives
    ).distinct()
    if children_excluded:
        adult = Q(person__date_of_birth__isnull=True) | Q(
            person__date_of_birth__lte=eighteenth_birthday_cutoff(today)
        )
        consents = consents.filter(adult)
    shared: dict[Any, set[str]] = {}
    for person_id, categories in consents.values_list("person_id", "categories"):
        given = offered & set(categories)
        if given:
            shared.setdefault(person_id, set()).update(given)
    return {person_id: frozenset(categories) for person_id, categories in shared.items()}


def family_shown_by_break_glass(actor: Actor, person: Person) -> bool:
    """Whether the actor reads `person`'s family information only by an open break-glass: then
    their relatives are named to them, as the safeguarding concern usually needs."""
    return category_reasons(actor, person).get(Category.FAMILY_CHILDREN) == Reason.BREAK_GLASS
