"""Every write to appointments and calendar feeds. An appointment is booked on a live case by
whoever may record contacts on it; once its time has come its outcome is recorded, which makes
the contact in the same transaction (through the contacts service: never typed twice). A
reschedule keeps the earlier times as an `AppointmentChange`. Everything is checked and
validated before anything is saved, and audited."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Role, User
from resettle.appointments.lifecycle import ACTIONS
from resettle.appointments.models import (
    MODE_OF_KIND,
    Appointment,
    AppointmentChange,
    AppointmentKind,
    AppointmentMode,
    AppointmentState,
    CalendarFeed,
)
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.cases.models import Case, CaseState
from resettle.contacts.models import CancelledBy, ContactOutcome
from resettle.contacts.services import contact_record
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.notifications.services import notify

APPOINTMENT = "appointment"
CALENDAR_FEED = "calendar_feed"
MIN_MINUTES, MAX_MINUTES = 5, 10 * 60
# A booking a few minutes "ago" is the time it took to fill in the form, not the past.
CLOCK_SLACK = timedelta(minutes=5)
FURTHEST_AHEAD = timedelta(days=366)
IN_THE_PAST = (
    "The time has already passed. To record a meeting that has happened, record a contact instead."
)
NOT_YET = (
    "The appointment has not started yet. Record what happened once it has, or reschedule or "
    "cancel it."
)
CASE_CLOSED = "This case is closed. Reopen it before booking an appointment on it."
NOT_YOURS = (
    "You can book appointments only on a case of your organisation that you work on (a peer "
    "mentor: on the cases they mentor)."
)
AUDITED_FIELDS = ("case", "with_user", "kind", "mode", "starts_at", "ends_at", "place", "state")
OUTCOME_STATES: dict[str, str] = {
    ContactOutcome.ATTENDED: AppointmentState.ATTENDED,
    ContactOutcome.DID_NOT_ATTEND: AppointmentState.DID_NOT_ATTEND,
    ContactOutcome.CANCELLED: AppointmentState.CANCELLED,
}
FEED_TOKEN_BYTES = 32


class DoubleBooked(ApplicationError):
    """The worker already has a booked appointment at that time: say so, and book only when the
    user confirms."""

    def __init__(self, clashes: list[Appointment]):
        times = "; ".join(
            f"{timezone.localtime(a.starts_at):%-d %B %Y %H:%M} to "
            f"{timezone.localtime(a.ends_at):%H:%M}"
            for a in clashes
        )
        super().__init__(
            f"{_name(clashes[0].with_user)} already has an appointment at this time ({times}). "
            "Confirm to book anyway."
        )
        self.clashes = clashes


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _values(appointment: Appointment) -> dict[str, Any]:
    return {
        "case": appointment.case_id,
        "with_user": appointment.with_user_id,
        "kind": appointment.kind,
        "mode": appointment.mode,
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "place": appointment.place,
        "state": appointment.state,
    }


def _audit(
    actor: Membership,
    appointment: Appointment,
    action: str,
    changes: dict,
    request: HttpRequest | None,
    reason: str = "",
) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type=APPOINTMENT,
        object_id=appointment.pk,
        person=appointment.person,
        category=Category.CASE_NOTES,
        changes=changes,
        reason=reason,
        request=request,
    )


def _time_errors(
    starts_at: datetime | None, minutes: int | None, errors: dict[str, list[str]]
) -> None:
    now = timezone.now()
    if starts_at is not None:
        if starts_at < now - CLOCK_SLACK:
            errors.setdefault("starts_at", []).append(IN_THE_PAST)
        elif starts_at > now + FURTHEST_AHEAD:
            errors.setdefault("starts_at", []).append(
                "The appointment must be within the next year"
            )
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors.setdefault("minutes", []).append(
            f"The length must be between {MIN_MINUTES} minutes and {MAX_MINUTES // 60} hours"
        )


def _place_errors(kind: str, place: str, errors: dict[str, list[str]]) -> None:
    if MODE_OF_KIND.get(AppointmentKind(kind)) == AppointmentMode.IN_PERSON and not place:
        errors.setdefault("place", []).append("Enter where to meet")


def clashes_for(
    *, with_user: User, starts_at: datetime, ends_at: datetime, exclude: Any = None
) -> list[Appointment]:
    """The user's other booked appointments that overlap this time (in any organisation: a
    worker cannot be in two places at once)."""
    overlapping = Appointment.objects.filter(
        with_user=with_user,
        state=AppointmentState.BOOKED,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).select_related("with_user")
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    return list(overlapping.order_by("starts_at")[:5])


def _save(appointment: Appointment, errors: dict[str, list[str]]) -> None:
    try:
        appointment.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)
    if not appointment._state.adding:
        appointment.version += 1
    appointment.save()


def _tell_who_meets(actor: Membership, appointment: Appointment, what: str) -> None:
    """The worker meeting the person hears of a booking or change someone else made."""
    if appointment.with_user_id == actor.user_id:
        return
    when = f"{timezone.localtime(appointment.starts_at):%-d %B %Y at %H:%M}"
    link = reverse("appointments:detail", args=[appointment.pk])
    transaction.on_commit(
        lambda: notify(
            recipients=[appointment.with_user],
            organisation=actor.organisation,
            subject=f"Appointment {what}",
            body=f"An appointment you are meeting someone at, {when}, was {what}.",
            link=link,
        )
    )


@transaction.atomic
def appointment_book(
    *,
    actor: Membership,
    case: Case,
    with_user: User,
    kind: str,
    starts_at: datetime,
    minutes: int,
    place: str = "",
    note: str = "",
    book_anyway: bool = False,
    request: HttpRequest | None = None,
) -> Appointment:
    """Book an appointment with the case's person. A time that has passed is refused (record a
    contact instead); a worker already booked then is refused unless `book_anyway`."""
    if not policy.can_book_appointment(actor, case):
        raise PermissionDenied(NOT_YOURS)
    # Lock the case so it cannot be closed while the appointment is being booked.
    case = Case.objects.select_for_update(of=("self",)).select_related("person").get(pk=case.pk)
    if case.state == CaseState.CLOSED:
        raise ApplicationError(CASE_CLOSED)
    errors: dict[str, list[str]] = {}
    if not policy.can_meet_people(actor, with_user):
        errors["with_user"] = [
            "Choose someone in your organisation who works with people"
            if actor.role != Role.PEER_MENTOR
            else "A peer mentor books appointments with themselves"
        ]
    if kind not in AppointmentKind.values:
        errors["kind"] = ["Select the kind of appointment"]
    else:
        _place_errors(kind, (place or "").strip(), errors)
    _time_errors(starts_at, minutes, errors)
    if errors:
        raise ValidationError(errors)
    appointment = Appointment(
        person=case.person,
        case=case,
        organisation_id=actor.organisation_id,
        with_user=with_user,
        booked_by=actor.user,
        kind=kind,
        mode=MODE_OF_KIND[AppointmentKind(kind)],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        place=(place or "").strip(),
        note=(note or "").strip(),
    )
    _save(appointment, errors)
    if not book_anyway:
        clashes = clashes_for(
            with_user=with_user,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            exclude=appointment.pk,
        )
        if clashes:
            raise DoubleBooked(clashes)
    _audit(actor, appointment, AuditAction.CREATE, diff({}, _values(appointment)), request)
    _tell_who_meets(actor, appointment, "booked for you")
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    """The appointment row locked for this transaction, so two changes never cross."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("person", "case", "with_user", "organisation")
        .get(pk=appointment.pk)
    )


def _check_action(action: str, actor: Membership, appointment: Appointment) -> None:
    ACTIONS.authorise(action, actor, appointment)
    ACTIONS.check_state(action, appointment.state, appointment)


@ACTIONS.service("reschedule")
@transaction.atomic
def appointment_reschedule(
    *,
    actor: Membership,
    appointment: Appointment,
    starts_at: datetime,
    minutes: int,
    place: str | None = None,
    reason: str = "",
    book_anyway: bool = False,
    request: HttpRequest | None = None,
) -> Appointment:
    """Move a booked appointment to a new time (and place). The old times are kept, dated."""
    appointment = _locked(appointment)
    _check_action("reschedule", actor, appointment)
    before = _values(appointment)
    change = AppointmentChange(
        appointment=appointment,
        changed_by=actor.user,
        previous_starts_at=appointment.starts_at,
        previous_ends_at=appointment.ends_at,
        previous_place=appointment.place,
        reason=(reason or "").strip()[:200],
    )
    errors: dict[str, list[str]] = {}
    new_place = appointment.place if place is None else place.strip()
    _place_errors(appointment.kind, new_place, errors)
    _time_errors(starts_at, minutes, errors)
    if errors:
        raise ValidationError(errors)
    appointment.starts_at = starts_at
    appointment.ends_at = starts_at + timedelta(minutes=minutes)
    appointment.place = new_place
    after = _values(appointment)
    if after == before:
        raise ValidationError({"starts_at": ["Choose a different time or place"]})
    _save(appointment, errors)
    change.starts_at, change.ends_at, change.place = (
        appointment.starts_at,
        appointment.ends_at,
        appointment.place,
    )
    change.full_clean()
    change.save()
    if not book_anyway:
        clashes = clashes_for(
            with_user=appointment.with_user,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            exclude=appointment.pk,
        )
        if clashes:
            raise DoubleBooked(clashes)
    _audit(actor, appointment, AuditAction.UPDATE, diff(before, after), request, change.reason)
    _tell_who_meets(actor, appointment, "moved")
    return appointment


@ACTIONS.service("cancel")
@transaction.atomic
def appointment_cancel(
    *,
    actor: Membership,
    appointment: Appointment,
    cancelled_by: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Appointment:
    """Cancel a booked appointment ahead of its time, saying who cancelled and why."""
    appointment = _locked(appointment)
    ACTIONS.begin("cancel", actor, appointment, cancelled_by=cancelled_by)
    ACTIONS.check_state("cancel", appointment.state, appointment)
    if cancelled_by not in CancelledBy.values:
        raise ValidationError({"cancelled_by": ["Select who cancelled the appointment"]})
    before = _values(appointment)
    _cancelled(appointment, actor, cancelled_by, reason)
    _save(appointment, {})
    _audit(
        actor,
        appointment,
        AuditAction.STATE_CHANGE,
        diff(before, _values(appointment)) | {"cancelled_by": [None, cancelled_by]},
        request,
        appointment.cancel_reason,
    )
    _tell_who_meets(actor, appointment, "cancelled")
    return appointment


def _cancelled(appointment: Appointment, actor: Membership, cancelled_by: str, reason: str) -> None:
    appointment.state = ACTIONS["cancel"].target
    appointment.cancelled_by = cancelled_by
    appointment.cancel_reason = (reason or "").strip()[:200]
    appointment.cancelled_by_user = actor.user
    appointment.cancelled_at = timezone.now()


@ACTIONS.service("record_outcome")
@transaction.atomic
def appointment_record_outcome(
    *,
    actor: Membership,
    appointment: Appointment,
    outcome: str,
    cancelled_by: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Appointment:
    """Record what happened once the appointment's time has come: the contact it becomes is
    made now, with the appointment's kind, time and length. Only once: a second outcome is
    refused."""
    appointment = _locked(appointment)
    ACTIONS.begin("record_outcome", actor, appointment, outcome=outcome)
    ACTIONS.check_state("record_outcome", appointment.state, appointment)
    if outcome not in OUTCOME_STATES:
        raise ValidationError({"outcome": ["Select what happened"]})
    if appointment.starts_at > timezone.now():
        raise ApplicationError(NOT_YET)
    attended = outcome == ContactOutcome.ATTENDED
    cancelled = outcome == ContactOutcome.CANCELLED
    contact = contact_record(
        actor=actor,
        case=appointment.case,
        data={
            "kind": appointment.kind,
            "happened_at": appointment.starts_at,
            "outcome": outcome,
            "cancelled_by": cancelled_by if cancelled else "",
            "duration_minutes": min(appointment.minutes, 24 * 60) if attended else None,
            "note": (note or "").strip(),
        },
        request=request,
    )
    before = _values(appointment)
    if cancelled:
        _cancelled(appointment, actor, cancelled_by, "")
    else:
        appointment.state = OUTCOME_STATES[outcome]
    appointment.contact = contact
    _save(appointment, {})
    _audit(
        actor,
        appointment,
        AuditAction.STATE_CHANGE,
        diff(before, _values(appointment)) | {"contact": [None, str(contact.pk)]},
        request,
    )
    return appointment


# Calendar feeds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewFeed:
    feed: CalendarFeed
    # Shown once: only its hash is kept.
    token: str


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke_live(user: User) -> list[CalendarFeed]:
    live = list(CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    now = timezone.now()
    for feed in live:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at", "updated_at"])
        record_event(
            actor=None,
            user=user,
            action=AuditAction.TOKEN_REVOKED,
            object_type=CALENDAR_FEED,
            object_id=feed.pk,
        )
    return live


@transaction.atomic
def calendar_feed_create(*, user: User, include_details: bool = False) -> NewFeed:
    """A new private calendar address for the user; any earlier one stops working."""
    previous = _revoke_live(user)
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    feed = CalendarFeed(
        user=user,
        token_hash=hash_feed_token(token),
        include_details=include_details or any(f.include_details for f in previous),
    )
    feed.full_clean()
    feed.save()
    record_event(
        actor=None,
        user=user,
        action=AuditAction.TOKEN_CREATED,
        object_type=CALENDAR_FEED,
        object_id=feed.pk,
        changes={"include_details": [None, str(feed.include_details)]},
    )
    return NewFeed(feed=feed, token=token)


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    """Stop the user's calendar address working; a calendar that asks again is told it is gone."""
    if not _revoke_live(user):
        raise ApplicationError("You have no calendar address to turn off")


@transaction.atomic
def calendar_feed_set_details(*, user: User, include_details: bool) -> CalendarFeed:
    """The user's choice of what their calendar shows about the people they meet."""
    feed = (
        CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).first()
    )
    if feed is None:
        raise ApplicationError("Make a calendar address first")
    if feed.include_details != include_details:
        record_event(
            actor=None,
            user=user,
            action=AuditAction.UPDATE,
            object_type=CALENDAR_FEED,
            object_id=feed.pk,
            changes=diff(
                {"include_details": feed.include_details}, {"include_details": include_details}
            ),
        )
        feed.include_details = include_details
        feed.save(update_fields=["include_details", "updated_at"])
    return feed
