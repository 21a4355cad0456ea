"""Contacts (case notes of meetings and calls): an organisation reads its own; partners' are
read under the registry's category of a contact, and never a sensitive one."""

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import Combinable

from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_read,
    can_view_case_records,
    can_view_person,
    get_or_404,
    open_break_glass_categories,
    people_visible_to,
    people_with_readable,
)
from resettle.access.registry import category_of
from resettle.accounts.models import Role
from resettle.contacts.models import Contact
from resettle.people.models import Person

CONTACT = "contacts.Contact"


def contacts_for_person(actor: Actor, person: Person) -> QuerySet[Contact]:
    staff = acting_staff(actor)
    if staff is None or not can_view_person(actor, person):
        return Contact.objects.none()
    own = Q(organisation_id=staff.organisation_id)
    if staff.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=staff.user_id) | Q(recorded_by_id=staff.user_id)
        own &= Q(sensitive=False) | Q(recorded_by_id=staff.user_id)
    visible = own
    if can_read(actor, person, CONTACT):
        visible |= Q(sensitive=False)
    if category_of(CONTACT) in open_break_glass_categories(actor, person):
        visible = Q()
    return Contact.objects.filter(visible, person=person)


def contacts_visible_to(actor: Actor) -> QuerySet[Contact]:
    """For lists across people (caseload, API): own organisation's contacts, and partners'
    non-sensitive ones where case notes are shared (break-glass opens one person's page only)."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Contact.objects.none()
    # Q & Exists is a Q; django-stubs types it Combinable.
    own: Q | Combinable = Q(organisation_id=staff.organisation_id) & about(people_visible_to(actor))
    if staff.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=staff.user_id) | Q(recorded_by_id=staff.user_id)
        own &= Q(sensitive=False) | Q(recorded_by_id=staff.user_id)
    shared = (
        Q(sensitive=False)
        & about(people_with_readable(actor, CONTACT))
        & ~Q(organisation_id=staff.organisation_id)
    )
    return Contact.objects.filter(own | shared)


def get_contact_for_actor(actor: Actor, contact_id: Any) -> Contact:
    """The contact, or the same 404 whether it does not exist or is not the actor's to see."""
    contact = get_or_404(Contact.objects.select_related("person"), contact_id, "contact")
    visible = contacts_for_person(actor, contact.person).select_related(
        "organisation", "recorded_by", "case", "person"
    )
    return get_or_404(visible, contact.pk, "contact")
