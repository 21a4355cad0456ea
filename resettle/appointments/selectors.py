"""Reads of appointments, already filtered by the access policy: a person's appointments, the
actor's own for a day, and the appointments a calendar feed shows."""

import hmac
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.appointments.models import Appointment, AppointmentState, CalendarFeed
from resettle.appointments.services import hash_feed_token
from resettle.audit.services import record_reads
from resettle.people.models import Person

APPOINTMENT = "appointments.Appointment"
# What a calendar feed shows: the recent past (so a phone keeps what happened this month) and
# the months ahead.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=90)


def person_appointments(
    *, actor: Membership | None, person: Person, state: str = "", upcoming: bool = False
) -> QuerySet[Appointment]:
    """The person's appointments the actor may see: the next first when `upcoming`, else the
    latest first."""
    appointments = policy.appointments_for_person(actor, person).select_related(
        "organisation", "with_user"
    )
    if state in AppointmentState.values:
        appointments = appointments.filter(state=state)
    if upcoming:
        return appointments.filter(
            state=AppointmentState.BOOKED, ends_at__gte=timezone.now()
        ).order_by("starts_at", "pk")
    return appointments.order_by("-starts_at", "-pk")


def upcoming_own_appointments(
    *, actor: policy.Actor, person: Person, limit: int = 3
) -> list[Appointment]:
    """The next booked appointments of the actor's own organisation with the person: its own
    records, so reading them is not a partner's case notes."""
    staff = policy.acting_staff(actor)
    if staff is None:
        return []
    return list(
        policy.appointments_for_person(actor, person)
        .filter(
            organisation_id=staff.organisation_id,
            state=AppointmentState.BOOKED,
            ends_at__gte=timezone.now(),
        )
        .select_related("with_user")
        .order_by("starts_at", "pk")[:limit]
    )


def my_appointments(
    *, actor: Membership | None, start: datetime, end: datetime
) -> QuerySet[Appointment]:
    """The actor's own booked appointments (they meet the person) starting in [start, end), in
    the organisation they act for."""
    if actor is None:
        return Appointment.objects.none()
    return (
        policy.appointments_visible_to(actor)
        .filter(
            organisation_id=actor.organisation_id,
            with_user_id=actor.user_id,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("person")
        .order_by("starts_at", "pk")
    )


def awaiting_outcome(*, actor: Membership | None, before: datetime) -> QuerySet[Appointment]:
    """The actor's own appointments still booked after their time, which need an outcome."""
    if actor is None:
        return Appointment.objects.none()
    return (
        policy.appointments_visible_to(actor)
        .filter(
            organisation_id=actor.organisation_id,
            with_user_id=actor.user_id,
            state=AppointmentState.BOOKED,
            starts_at__lt=before,
        )
        .select_related("person")
        .order_by("starts_at", "pk")
    )


def audit_reads(
    *, actor: Membership | None, appointments: list[Appointment], request: HttpRequest | None
) -> None:
    """Another organisation's appointments are its case notes: reading them is recorded, one
    event per person, in one insert."""
    if actor is None:
        return
    reads = [
        (a.person_id, category_of(APPOINTMENT))
        for a in appointments
        if a.organisation_id != actor.organisation_id
    ]
    if reads:
        record_reads(actor=actor, reads=reads, request=request)


def live_feed(token: str) -> CalendarFeed | None:
    """The feed this secret opens, or None for one that is unknown or revoked."""
    hashed = hash_feed_token(token)
    feed = (
        CalendarFeed.objects.filter(token_hash=hashed, revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    # Compared again in constant time, so timing says nothing about near misses.
    if feed is None or not hmac.compare_digest(feed.token_hash, hashed):
        return None
    if not feed.user.is_active:
        return None
    return feed


def user_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_appointments(feed: CalendarFeed) -> list[Appointment]:
    """The booked appointments the feed's user meets people at, from a month ago to three
    months ahead, only where they still work with the person."""
    now = timezone.now()
    return list(
        policy.calendar_feed_appointments(feed.user)
        .filter(
            state=AppointmentState.BOOKED,
            starts_at__gte=now - FEED_PAST,
            starts_at__lt=now + FEED_AHEAD,
        )
        .select_related("person", "organisation")
        .order_by("starts_at", "pk")
    )
