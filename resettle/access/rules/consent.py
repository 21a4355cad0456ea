"""Consent records: who records them, and which the actor may open."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_view_person,
    get_or_404,
    people_visible_to,
)
from resettle.access.core import as_is as _as_is
from resettle.accounts.models import Role
from resettle.consent.models import Consent
from resettle.people.models import Person


def can_record_consent(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in {Role.CASEWORKER, Role.REFERRER}
        and can_view_person(actor, person)
    )


def consents_of_visible_people(actor: Actor) -> QuerySet[Consent]:
    """Consents of the people whose record the actor may open."""
    return Consent.objects.filter(about(people_visible_to(actor)))


def get_consent_for_actor(
    actor: Actor,
    consent_id: Any,
    *,
    person: Person | None = None,
    shaped: Callable[[QuerySet[Consent]], QuerySet[Consent]] = _as_is,
) -> Consent:
    """The consent (of `person`, when given; read as `shaped` makes it), or the same 404 whether
    it does not exist or is of someone whose record the actor may not open."""
    consents = shaped(consents_of_visible_people(actor))
    if person is not None:
        consents = consents.filter(person=person)
    return get_or_404(consents, consent_id, "consent")
