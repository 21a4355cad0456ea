"""Which data category (DESIGN §4) each part of a person's record belongs to, read from the
registry (resettle/access/registry.py), with the look-ups the people pages and API share so a
field can never be hidden on one route and shown on another."""

from django.db.models import Prefetch, Q, QuerySet

from resettle.access import policy, registry
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.people.models import Identifier, Person

PERSON_FIELDS: dict[str, Category] = {
    name: placed
    for name, placed in registry.REGISTRY["people.Person"].items()
    if isinstance(placed, Category)
}

# About the record rather than the person: shown with any category of it.
RECORD_METADATA = frozenset(
    name for name, placed in registry.REGISTRY["people.Person"].items() if placed == "not_personal"
)


def person_fields_in(categories: frozenset[str] | set[str], fields: list[str]) -> list[str]:
    """Those of `fields` (Person field names) that belong to one of `categories`, in order."""
    return [name for name in fields if PERSON_FIELDS.get(name) in categories]


def _shared_ids(actor: Membership | None, category: str, person_ids) -> set:
    # Through `about`, so the people with the category are the SQL the request already compiled.
    with_category = policy.about(policy.people_with_category(actor, category), "pk")
    return set(
        Person.objects.filter(with_category, pk__in=list(person_ids)).values_list("pk", flat=True)
    )


def family_shared_ids(actor: Membership | None, person_ids) -> set:
    """Which of these people's family information the actor may see, in one query."""
    return _shared_ids(actor, Category.FAMILY_CHILDREN, person_ids)


def contact_shared_ids(actor: Membership | None, person_ids) -> set:
    """Which of these people's contact details the actor may see, in one query."""
    return _shared_ids(actor, Category.CONTACT, person_ids)


def _identifiers_in(condition: Q) -> Prefetch:
    return Prefetch(
        "identifiers",
        queryset=Identifier.objects.filter(condition).order_by("scheme"),
        to_attr="shown_identifiers",
    )


def shown_identifiers_for(categories) -> Prefetch:
    """Prefetch, as `shown_identifiers`, one person's identifiers whose scheme's category is in
    `categories` (what the actor may see of them)."""
    return _identifiers_in(Q(scheme__in=registry.identifier_schemes_in(categories)))


def shown_identifiers_of_many(actor: Membership | None, people: QuerySet | list) -> Prefetch:
    """Prefetch, as `shown_identifiers`, the identifiers of a list of people the actor may see:
    identity schemes for all, the others for those whose category the actor may see (one query
    per such category)."""
    ids = [p.pk for p in people]
    condition = Q(scheme__in=registry.identifier_schemes_in({Category.IDENTITY}))
    for category in set(registry.IDENTIFIER_SCHEMES.values()) - {Category.IDENTITY}:
        shared = _shared_ids(actor, category, ids)
        if shared:
            condition |= Q(
                scheme__in=registry.identifier_schemes_in({category}), person_id__in=shared
            )
    return _identifiers_in(condition)


def identifier_schemes_for(actor: Membership | None, person) -> list[str]:
    """The identifier schemes of this person's record the actor may see (and so change)."""
    return registry.identifier_schemes_in(policy.categories_visible(actor, person))


def identifier_schemes_granted(actor: Membership) -> list[str]:
    """The identifier schemes the actor's organisation may record for someone new: identity's,
    and those of categories an agreement gives it at all (on consent, they are shown again once
    consent is recorded)."""
    return registry.identifier_schemes_in({Category.IDENTITY, *policy.agreement_grants(actor)})
