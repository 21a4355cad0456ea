"""Which data category (DESIGN §4) each part of a person's record belongs to.

One map, read by the people pages and the API now and by history views and exports later, so a
field can never be hidden on one route and shown on another. A Person field missing from both
PERSON_FIELDS and RECORD_METADATA is a test failure, so a new field has to be placed here first.
"""

from django.db import models

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    PersonName,
    Relationship,
)

PERSON_FIELDS: dict[str, Category] = {
    "given_name": Category.IDENTITY,
    "middle_names": Category.IDENTITY,
    "family_name": Category.IDENTITY,
    "preferred_name": Category.IDENTITY,
    "date_of_birth": Category.IDENTITY,
    "sex": Category.IDENTITY,
    "gender_identity": Category.IDENTITY,
    "gender_identity_description": Category.IDENTITY,
    "pronouns": Category.IDENTITY,
    "pronouns_description": Category.IDENTITY,
    "ethnicity": Category.IDENTITY,
    # Arguably health; kept with identity because it is a protected characteristic recorded
    # for equality monitoring, as sex and ethnicity are. Revisit when health records arrive.
    "disability": Category.IDENTITY,
    # Search keys are derived from the names, so they reveal nothing the names do not.
    "given_key": Category.IDENTITY,
    "family_key": Category.IDENTITY,
    "family_letters": Category.IDENTITY,
    "phone": Category.CONTACT,
    "email": Category.CONTACT,
}

# About the record rather than the person: shown with any category of it.
RECORD_METADATA = frozenset({"id", "created_at", "updated_at", "created_by"})

# Records hanging off a person, by the category they belong to as a whole.
RELATED_RECORDS: dict[type[models.Model], Category] = {
    PersonName: Category.IDENTITY,
    # Prison number, CRN, PNC ID and NI number say who someone is, so they are identity.
    Identifier: Category.IDENTITY,
    Address: Category.CONTACT,
    Relationship: Category.FAMILY_CHILDREN,
    Household: Category.FAMILY_CHILDREN,
    HouseholdMember: Category.FAMILY_CHILDREN,
}


def person_fields_in(categories: frozenset[str] | set[str], fields: list[str]) -> list[str]:
    """Those of `fields` (Person field names) that belong to one of `categories`, in order."""
    return [name for name in fields if PERSON_FIELDS.get(name) in categories]


def family_shared_ids(actor: Membership | None, person_ids) -> set:
    """Which of these people's family information the actor may see, in one query."""
    return set(
        policy.people_with_category(actor, Category.FAMILY_CHILDREN)
        .filter(pk__in=list(person_ids))
        .values_list("pk", flat=True)
    )


def contact_shared_ids(actor: Membership | None, person_ids) -> set:
    """Which of these people's contact details the actor may see, in one query."""
    return set(
        policy.people_with_category(actor, Category.CONTACT)
        .filter(pk__in=list(person_ids))
        .values_list("pk", flat=True)
    )
