"""Contacts (case notes of meetings and calls)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import Combinable

from resettle.access.categories import Category
from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_view_case_records,
    can_view_category,
    can_view_person,
    get_or_404,
    open_break_glass_categories,
    people_visible_to,
    people_with_category,
)
from resettle.accounts.models import Role
from resettle.contacts.models import Contact
from resettle.people.models import Person


def contacts_for_person(actor: Actor, person: Person) -> QuerySet[Contact]:
    staff = acting_staff(actor)
    if staff is None or not can_view_person(actor, person):
        return Contact.objects.none()
    own = Q(organisation_id=staff.organisation_id)
    if staff.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=staff.user_id) | Q(recorded_by_id=staff.user_id)
        own &= Q(sensitive=False) | Q(recorded_by_id=staff.user_id)
    visible = own
    if can_view_category(actor, person, Category.CASE_NOTES):
        visible |= Q(sensitive=False)
    if Category.CASE_NOTES in open_break_glass_categories(actor, person):
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
        & about(people_with_category(actor, Category.CASE_NOTES))
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
