"""Appointments follow contacts, which they become: an organisation reads its own (a peer mentor
those on cases they mentor, or with them), partners' only where case notes are shared with it.
Booking and changing one is for whoever may record a contact on its case. A user's calendar
feed shows only the appointments they are meeting people at, in organisations they still act
for, with people those memberships still see."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import Combinable

from resettle.access.core import (
    Actor,
    about,
    access_for,
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
from resettle.access.rules.cases import can_record_contact
from resettle.accounts.models import Membership, Role, User
from resettle.appointments.models import Appointment
from resettle.cases.models import Case
from resettle.people.models import Person

APPOINTMENT = "appointments.Appointment"


def _mentors_own(staff: Membership) -> Q:
    return (
        Q(case__mentor_id=staff.user_id)
        | Q(with_user_id=staff.user_id)
        | Q(booked_by_id=staff.user_id)
    )


def appointments_for_person(actor: Actor, person: Person) -> QuerySet[Appointment]:
    staff = acting_staff(actor)
    if staff is None or not can_view_person(actor, person):
        return Appointment.objects.none()
    visible = Q(organisation_id=staff.organisation_id)
    if staff.role == Role.PEER_MENTOR:
        visible &= _mentors_own(staff)
    if can_read(actor, person, APPOINTMENT):
        visible |= ~Q(organisation_id=staff.organisation_id)
    if category_of(APPOINTMENT) in open_break_glass_categories(actor, person):
        visible = Q()
    return Appointment.objects.filter(visible, person=person)


def appointments_visible_to(actor: Actor) -> QuerySet[Appointment]:
    """For lists across people (today, caseload, API): the organisation's own about people it
    sees, and partners' where case notes are shared."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Appointment.objects.none()
    # Q & Exists is a Q; django-stubs types it Combinable.
    own: Q | Combinable = Q(organisation_id=staff.organisation_id) & about(people_visible_to(actor))
    if staff.role == Role.PEER_MENTOR:
        own &= _mentors_own(staff)
    shared = about(people_with_readable(actor, APPOINTMENT)) & ~Q(
        organisation_id=staff.organisation_id
    )
    return Appointment.objects.filter(own | shared)


def get_appointment_for_actor(actor: Actor, appointment_id: Any) -> Appointment:
    """The appointment, or the same 404 whether it does not exist or is not the actor's to see."""
    appointment = get_or_404(
        Appointment.objects.select_related("person"), appointment_id, "appointment"
    )
    visible = appointments_for_person(actor, appointment.person).select_related(
        "person", "case", "organisation", "with_user", "booked_by", "contact"
    )
    return get_or_404(visible, appointment.pk, "appointment")


def can_book_appointment(actor: Actor, case: Case) -> bool:
    """Whoever may record a contact on the case: its organisation's case staff, a peer mentor on
    the cases they mentor."""
    return can_record_contact(actor, case)


def can_change_appointment(actor: Actor, appointment: Appointment) -> bool:
    """Reschedule, cancel and record the outcome: as booking, on the appointment's case."""
    return can_record_contact(actor, appointment.case)


def can_meet_people(actor: Actor, user: User) -> bool:
    """Whether `user` may be booked to meet someone for the actor's organisation: a current
    member of it in a role that works with people (a peer mentor books only themselves)."""
    staff = acting_staff(actor)
    if staff is None:
        return False
    if staff.role == Role.PEER_MENTOR:
        return user.pk == staff.user_id
    return (
        _current_memberships()
        .filter(user=user, organisation_id=staff.organisation_id, role__in=MEETING_ROLES)
        .exists()
    )


def _current_memberships() -> QuerySet[Membership]:
    """Memberships that count today (one counts until the day it ends)."""
    today = date.today()
    return Membership.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))


MEETING_ROLES = frozenset(
    {Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR, Role.PEER_MENTOR}
)


def calendar_feed_appointments(user: User) -> QuerySet[Appointment]:
    """What a user's calendar feed may show: appointments they are booked to meet people at, for
    each organisation they are still a current member of, with people that membership may see."""
    # Q | (Q & Exists) is a Q; django-stubs types it Combinable.
    visible: Q | Combinable = Q(pk__in=[])
    for membership in _current_memberships().filter(user=user).select_related("organisation"):
        access = access_for(membership)
        if not can_view_case_records(access):
            continue
        visible |= Q(organisation_id=membership.organisation_id) & about(people_visible_to(access))
    return Appointment.objects.filter(visible, with_user=user)


def staff_who_may_meet(actor: Actor) -> list[User]:
    """Whom the actor may book to meet someone (`can_meet_people`), for the booking form."""
    staff = acting_staff(actor)
    if staff is None:
        return []
    if staff.role == Role.PEER_MENTOR:
        return [staff.user]
    ids = _current_memberships().filter(
        organisation_id=staff.organisation_id, role__in=MEETING_ROLES
    )
    return list(
        User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by(
            "first_name", "last_name", "username"
        )
    )
