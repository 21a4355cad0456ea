"""Reads for the home pages, limited by the access policy."""

from django.db.models import QuerySet

from resettle.access.policy import people_visible_to
from resettle.accounts.models import Membership
from resettle.people.models import Person


def recently_updated_people(*, actor: Membership | None, limit: int = 10) -> list[Person]:
    return list(
        people_visible_to(actor)
        .prefetch_related("identifiers")
        .order_by("-updated_at", "family_name", "given_name")[:limit]
    )


def visible_people(*, actor: Membership | None) -> QuerySet[Person]:
    return people_visible_to(actor)
