"""Helpers every page view shares."""

from uuid import UUID

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.people.categories import shown_identifiers_for
from resettle.people.models import Person


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    """The 403 page, saying why in words the user can act on."""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def person_for_page(actor: Membership | None, pk: UUID) -> Person:
    """The person (or the policy's 404), with the identifiers the actor may see loaded once, as
    `shown_identifiers`, for the person header."""
    person = policy.get_person_for_actor(actor, pk)
    prefetch_related_objects(
        [person], shown_identifiers_for(policy.categories_visible(actor, person))
    )
    return person
