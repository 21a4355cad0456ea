"""Every write to referrals and signpostings: a state machine with one function per action.

Each action checks the policy, refuses a change the state does not allow (ApplicationError: the
API's 422) or one made on a version the actor did not see (StaleReferral: the API's 409), records
a `ReferralTransition`, writes the audit trail and tells the other side, in one transaction."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, User
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.consent.models import Consent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.core.pathways import Pathway
from resettle.directory import selectors as directory
from resettle.directory.eligibility import ineligibility_reasons
from resettle.directory.models import Access, Service, ServiceStatus
from resettle.notifications.services import notify
from resettle.people.choices import ContactWishes
from resettle.people.models import Person, Relationship, WorkingRelationship
from resettle.people.services import working_relationship_end
from resettle.referrals import lifecycle, selectors
from resettle.referrals.lifecycle import ACTIONS
from resettle.referrals.models import (
    LIVE_STATES,
    DeclineReason,
    FollowUp,
    Referral,
    ReferralState,
    ReferralTransition,
    Signposting,
    Urgency,
    WaitingListMove,
)
from resettle.registers.services import enrolment_from_referral

REFERRAL = "referral"
SIGNPOSTING = "signposting"
# What a referral may carry beyond identity; offence and sentence never go with one.
SHAREABLE_CATEGORIES = tuple(
    c for c in Category.values if c not in (Category.IDENTITY, Category.OFFENCE)
)
# Roles told about referrals that arrive at their organisation.
RECEIVING_ROLES = policy.REFERRAL_ROLES


class StaleReferral(ApplicationError):
    """Someone changed the referral after the actor read it. `referral` is its current state."""

    def __init__(self, referral: Referral):
        super().__init__(
            f"Someone else changed this referral while you were looking at it. It is now "
            f"“{referral.get_state_display()}”. Check it, then try again if you still need to."
        )
        self.referral = referral


@dataclass(frozen=True)
class ReferralWarnings:
    """What the referrer must see (and answer) before referring this person to this service."""

    ineligible: list[str]
    full: bool
    waiting: int
    no_contact: bool


def referral_warnings(*, actor: Membership, person: Person, service: Service) -> ReferralWarnings:
    """Ineligibility (reasons from the record the actor may read), a full service, and a live
    referral to the same service of someone the person has a "no contact wanted" relationship
    with (either side's wish). Who that is is never said: it is family information."""
    reasons = ineligibility_reasons(
        service, person, categories=policy.categories_visible(actor, person)
    )
    return ReferralWarnings(
        ineligible=reasons,
        full=directory.is_full(service),
        waiting=directory.waiting_list_count(service),
        no_contact=_no_contact_conflict(person, service),
    )


def _no_contact_conflict(person: Person, service: Service) -> bool:
    unwanted = Relationship.objects.filter(
        Q(person=person, contact_wishes=ContactWishes.NO_CONTACT)
    ).values("related_person")
    unwanting = Relationship.objects.filter(
        Q(related_person=person, contact_wishes=ContactWishes.NO_CONTACT)
    ).values("person")
    return (
        Referral.objects.filter(service=service, state__in=LIVE_STATES)
        .filter(Q(person__in=unwanted) | Q(person__in=unwanting))
        .exclude(person=person)
        .exists()
    )


def _receiving_staff(service: Service) -> list[User]:
    today = date.today()
    members = Membership.objects.filter(
        organisation_id=service.organisation_id, role__in=RECEIVING_ROLES
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    return [m.user for m in members.select_related("user") if m.user.is_active]


def _link(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _audit_values(referral: Referral) -> dict[str, Any]:
    return {
        "state": referral.state,
        "decline_reason": referral.decline_reason or None,
        "version": referral.version,
    }


@transaction.atomic
def referral_create(
    *,
    actor: Membership,
    person: Person,
    service: Service,
    reason: str,
    pathway: str,
    urgency: str = Urgency.ROUTINE,
    shared_categories: list[str] | None = None,
    consent: Consent | None = None,
    eligibility_override_reason: str = "",
    no_contact_confirmed: bool = False,
    parent: Referral | None = None,
    submit: bool = False,
    request: HttpRequest | None = None,
) -> Referral:
    """A new referral of `person` to `service`, as a draft or (with `submit`) submitted.

    Refused: a service the actor cannot see, one not taking referrals, a second live referral
    of the person to the same service. Needs answers: an ineligible person (a reason for
    referring anyway, recorded), a "no contact wanted" conflict (confirmation)."""
    if not policy.can_refer(actor, person):
        raise PermissionDenied("You cannot refer this person")
    if not policy.services_visible_to(actor).filter(pk=service.pk).exists():
        raise ValidationError({"service": "Choose a service from the directory"})
    errors: dict[str, list[str]] = {}
    if service.status != ServiceStatus.ACTIVE:
        errors.setdefault("service", []).append(f"{service.name} is not running at the moment")
    elif service.access == Access.OPEN:
        errors.setdefault("service", []).append(
            f"{service.name} is open to all and takes no referrals: signpost the person instead"
        )
    shared = list(dict.fromkeys(shared_categories or []))
    if set(shared) - set(SHAREABLE_CATEGORIES):
        errors.setdefault("shared_categories", []).append(
            "Choose the kinds of information from the list"
        )
    if consent is not None:
        if consent.person_id != person.pk or not consent.is_current():
            errors.setdefault("consent", []).append("Choose a current consent of this person")
        elif set(shared) - set(consent.categories):
            errors.setdefault("shared_categories", []).append(
                "The consent you chose does not cover all the information you ticked"
            )
    if parent is not None and not (
        parent.person_id == person.pk
        and policy.is_referral_receiver(actor, parent)
        and parent.state in (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS)
    ):
        errors.setdefault("parent", []).append(
            "An onward referral is made from a referral your organisation is working on"
        )
    warnings = referral_warnings(actor=actor, person=person, service=service)
    override = (eligibility_override_reason or "").strip()
    if warnings.ineligible and not override:
        errors.setdefault("eligibility_override_reason", []).append(
            "Enter why you are referring them although they do not meet the service's rules"
        )
    if not warnings.ineligible:
        override = ""
    if warnings.no_contact and not no_contact_confirmed:
        errors.setdefault("no_contact_confirmed", []).append(
            "Confirm you have checked the “no contact wanted” wishes with the person's worker"
        )
    referral = Referral(
        person=person,
        service=service,
        referring_organisation=actor.organisation,
        referred_by=actor.user,
        parent=parent,
        reason=(reason or "").strip(),
        pathway=pathway,
        urgency=urgency,
        shared_categories=shared,
        consent=consent,
        eligibility_override_reason=override,
        no_contact_confirmed=bool(warnings.no_contact and no_contact_confirmed),
    )
    try:
        referral.full_clean(exclude=["decline_reason"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    # One live referral of a person to a service at a time (a double-submitted form, or two
    # workers referring the same person).
    Person.objects.select_for_update().filter(pk=person.pk).first()
    existing = Referral.objects.filter(
        person=person, service=service, state__in=LIVE_STATES | {ReferralState.DRAFT}
    ).first()
    if existing is not None:
        raise ApplicationError(
            f"{person.full_name} already has a referral to {service.name} "
            f"(“{existing.get_state_display()}”, sent by {existing.referring_organisation.name})."
        )
    referral.save()
    ReferralTransition.objects.create(
        referral=referral,
        from_state="",
        to_state=ReferralState.DRAFT,
        by=actor.user,
        organisation=actor.organisation,
        note="Created",
    )
    events = [
        EventData(
            action=AuditAction.CREATE,
            object_type=REFERRAL,
            object_id=str(referral.pk),
            person_id=person.pk,
            changes=diff(
                {},
                {
                    "service": str(service.pk),
                    "pathway": pathway,
                    "urgency": urgency,
                    "shared_categories": ",".join(shared),
                    "parent": str(parent.pk) if parent else None,
                },
            ),
        )
    ]
    if override:
        events.append(
            EventData(
                action=AuditAction.CREATE,
                object_type=REFERRAL,
                object_id=str(referral.pk),
                person_id=person.pk,
                reason=f"Eligibility override: {override}",
                changes={"ineligible": [None, "; ".join(warnings.ineligible)]},
            )
        )
    if referral.no_contact_confirmed:
        events.append(
            EventData(
                action=AuditAction.CREATE,
                object_type=REFERRAL,
                object_id=str(referral.pk),
                person_id=person.pk,
                reason="Referred despite a “no contact wanted” relationship on the service",
            )
        )
    record_events(actor=actor, events=events, request=request)
    if submit:
        return referral_submit(
            actor=actor, referral=referral, expected_version=referral.version, request=request
        )
    return referral


@transaction.atomic
def referral_update(
    *,
    actor: Membership,
    referral: Referral,
    reason: str,
    pathway: str,
    urgency: str,
    shared_categories: list[str],
    consent: Consent | None = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Change a draft before it is sent. Once sent, the referral is the receiver's record of
    what was asked: changes then are a withdrawal and a new referral."""
    if not policy.can_edit_referral(actor, referral):
        raise PermissionDenied(lifecycle.SENDER_REFUSAL)
    current = _locked(referral, expected_version)
    if current.state != ReferralState.DRAFT:
        raise ApplicationError("Only a draft can be changed. This referral has been sent.")
    shared = list(dict.fromkeys(shared_categories or []))
    errors: dict[str, list[str]] = {}
    if set(shared) - set(SHAREABLE_CATEGORIES):
        errors["shared_categories"] = ["Choose the kinds of information from the list"]
    if consent is not None and (consent.person_id != current.person_id or not consent.is_current()):
        errors["consent"] = ["Choose a current consent of this person"]
    elif consent is not None and set(shared) - set(consent.categories):
        errors["shared_categories"] = [
            "The consent you chose does not cover all the information you ticked"
        ]
    if errors:
        raise ValidationError(errors)
    before = {
        "reason": current.reason,
        "pathway": current.pathway,
        "urgency": current.urgency,
        "shared_categories": ",".join(current.shared_categories),
    }
    current.reason = (reason or "").strip()
    current.pathway = pathway
    current.urgency = urgency
    current.shared_categories = shared
    current.consent = consent
    current.version += 1
    current.full_clean()
    current.save()
    after = before | {
        "reason": current.reason,
        "pathway": pathway,
        "urgency": urgency,
        "shared_categories": ",".join(shared),
    }
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type=REFERRAL,
                object_id=str(current.pk),
                person_id=current.person_id,
                changes=diff(before, after),
            )
        ],
    )
    return current


def _locked(referral: Referral, expected_version: int | None) -> Referral:
    current = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("service__organisation", "person", "referring_organisation")
        .get(pk=referral.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleReferral(current)
    return current


def _move(
    *,
    actor: Membership,
    referral: Referral,
    action: str,
    note: str = "",
    request: HttpRequest | None,
    **fields: Any,
) -> Referral:
    """Take `action` from the table on the (locked, current) referral: the state it leads to,
    with its transition row and audit."""
    ACTIONS.check_state(action, referral.state, referral)
    to_state = ACTIONS[action].target
    before = _audit_values(referral)
    from_state = referral.state
    referral.state = to_state
    for name, value in fields.items():
        setattr(referral, name, value)
    if to_state != ReferralState.WAITING_LIST:
        # A place set by hand belongs to that one stay on the waiting list.
        referral.waiting_rank = referral.waiting_order = None
    referral.version += 1
    referral.full_clean()
    referral.save()
    ReferralTransition.objects.create(
        referral=referral,
        from_state=from_state,
        to_state=to_state,
        by=actor.user,
        organisation=actor.organisation,
        note=(note or "").strip()[:2000],
    )
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.STATE_CHANGE,
                object_type=REFERRAL,
                object_id=str(referral.pk),
                person_id=referral.person_id,
                reason=(note or "").strip()[:1000],
                changes=diff(before, _audit_values(referral)),
            )
        ],
    )
    return referral


def _tell_referrer(referral: Referral, actor: Membership, what: str) -> None:
    notify(
        recipients=[referral.referred_by],
        organisation=actor.organisation,
        subject=f"Your referral to {referral.service.name} was {what}",
        body=f"{actor.organisation.name} {what} your referral of {referral.person.full_name} "
        f"to {referral.service.name}.",
        link=_link(referral),
        email_body=f"{actor.organisation.name} {what} a referral you made to "
        f"{referral.service.name}. Sign in to Resettle to see it.",
    )


def _first_response(referral: Referral, actor: Membership, now) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if referral.first_response_at is None:
        fields["first_response_at"] = now
    if referral.handled_by_id is None:
        fields["handled_by"] = actor.user
    return fields


@ACTIONS.service("submit")
@transaction.atomic
def referral_submit(
    *,
    actor: Membership,
    referral: Referral,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Send a draft to the service's organisation. Submitting again is harmless: a referral
    already submitted is returned as it is (a double click, a retried request)."""
    ACTIONS.authorise("submit", actor, referral)
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.state == ReferralState.SUBMITTED:
        return _locked(current, None)
    current = _locked(referral, expected_version)
    current = _move(
        actor=actor,
        referral=current,
        action="submit",
        request=request,
        submitted_at=timezone.now(),
    )
    notify(
        recipients=_receiving_staff(current.service),
        organisation=actor.organisation,
        subject=f"New referral to {current.service.name}",
        body=f"{actor.organisation.name} referred someone to {current.service.name} "
        f"({current.get_urgency_display().lower()}).",
        link=_link(current),
        email_body=f"{actor.organisation.name} sent a referral to {current.service.name}. "
        "Sign in to Resettle to see it.",
    )
    return current


def _open_working_relationship(actor: Membership, referral: Referral, request) -> EventData | None:
    """The receiving organisation starts working with the person today, unless it already is."""
    organisation = referral.service.organisation
    today = date.today()
    open_now = WorkingRelationship.objects.filter(
        person_id=referral.person_id, organisation=organisation, ended_on__isnull=True
    ).first()
    if open_now is not None:
        if open_now.started_on > today:
            open_now.started_on = today
            open_now.save(update_fields=["started_on", "updated_at"])
        return None
    relationship = WorkingRelationship.objects.create(
        person_id=referral.person_id, organisation=organisation, started_on=today
    )
    return EventData(
        action=AuditAction.CREATE,
        object_type="working_relationship",
        object_id=str(relationship.pk),
        person_id=referral.person_id,
        reason=f"Accepted referral {referral.pk}",
        changes={"organisation": [None, str(organisation.pk)], "started_on": [None, str(today)]},
    )


def _stop_working(actor: Membership, referral: Referral, what: str, request) -> None:
    """The receiving organisation's work with the person ends with the referral, unless
    something else (a case, another referral it accepted, mentoring) still holds it."""
    working_relationship_end(
        actor=actor,
        person_id=referral.person_id,
        organisation=referral.service.organisation,
        reason=f"Referral {referral.pk} {what}",
        request=request,
    )


@ACTIONS.service("accept")
@transaction.atomic
def referral_accept(
    *,
    actor: Membership,
    referral: Referral,
    expected_version: int | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Accept: the service's organisation starts working with the person, which opens their
    record to it under the agreements and consent. A full service offers its waiting list."""
    ACTIONS.authorise("accept", actor, referral)
    current = _locked(referral, expected_version)
    if current.state in ACTIONS["accept"].sources and directory.is_full(current.service):
        raise ApplicationError(
            f"{current.service.name} is full ({current.service.capacity} places taken). "
            + (
                "Put the referral on the waiting list, or end someone's support first."
                if current.service.has_waiting_list
                else "Decline it for lack of capacity, or end someone's support first."
            )
        )
    now = timezone.now()
    current = _move(
        actor=actor,
        referral=current,
        action="accept",
        note=note,
        request=request,
        decided_at=now,
        waiting_since=None,
        **_first_response(current, actor, now),
    )
    event = _open_working_relationship(actor, current, request)
    if event is not None:
        record_events(actor=actor, events=[event], request=request)
    # A service delivered in sessions takes the person onto its registers: no case needed.
    enrolment_from_referral(actor=actor, referral=current, request=request)
    _tell_referrer(current, actor, "accepted")
    return current


@ACTIONS.service("decline")
@transaction.atomic
def referral_decline(
    *,
    actor: Membership,
    referral: Referral,
    reason: str,
    detail: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Decline with a coded reason ("other" needs words). "No capacity" on a service with a
    waiting list puts the referral on it instead: nobody is turned away for a full session."""
    ACTIONS.authorise("decline", actor, referral)
    errors = {}
    if reason not in DeclineReason.values:
        errors["reason"] = "Choose why you are declining the referral"
    elif reason == DeclineReason.OTHER and not (detail or "").strip():
        errors["detail"] = "Enter why you are declining the referral"
    if errors:
        raise ValidationError(errors)
    current = _locked(referral, expected_version)
    now = timezone.now()
    if (
        reason == DeclineReason.NO_CAPACITY
        and current.service.has_waiting_list
        and current.state == ReferralState.SUBMITTED
    ):
        return _to_waiting_list(actor, current, detail, request, now)
    current = _move(
        actor=actor,
        referral=current,
        action="decline",
        note=detail,
        request=request,
        decline_reason=reason,
        decline_detail=(detail or "").strip(),
        decided_at=now,
        ended_at=now,
        waiting_since=None,
        **_first_response(current, actor, now),
    )
    _stop_working(actor, current, "declined", request)
    _tell_referrer(current, actor, "declined")
    return current


def _to_waiting_list(actor, current: Referral, note: str, request, now) -> Referral:
    if not current.service.has_waiting_list:
        raise ApplicationError(f"{current.service.name} does not keep a waiting list.")
    current = _move(
        actor=actor,
        referral=current,
        action="waiting_list",
        note=note,
        request=request,
        waiting_since=now,
        **_first_response(current, actor, now),
    )
    _tell_referrer(current, actor, "put on the waiting list")
    return current


@ACTIONS.service("waiting_list")
@transaction.atomic
def referral_waitlist(
    *,
    actor: Membership,
    referral: Referral,
    note: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Put a submitted referral on the service's waiting list (position: oldest first)."""
    ACTIONS.authorise("waiting_list", actor, referral)
    current = _locked(referral, expected_version)
    return _to_waiting_list(actor, current, note, request, timezone.now())


@transaction.atomic
def referral_waiting_move(
    *,
    actor: Membership,
    referral: Referral,
    direction: str,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> WaitingListMove:
    """Move a referral one place up or down its service's waiting list, past the referral next
    to it, for a recorded reason (an urgent need the urgency did not capture, a person who
    cannot start yet). The two swap places; everyone else keeps theirs."""
    if not policy.can_move_on_waiting_list(actor, referral):
        raise PermissionDenied("A waiting list is managed by its own organisation's staff.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this referral should move"})
    if direction not in WaitingListMove.Direction.values:
        raise ValidationError({"direction": "Choose up or down"})
    # The whole list is locked, in its order, so two moves at once cannot cross.
    waiting = list(selectors.waiting_list(service=referral.service).select_for_update(of=("self",)))
    ids = [r.pk for r in waiting]
    if referral.pk not in ids:
        raise ApplicationError("This referral is no longer on the waiting list.")
    current = waiting[ids.index(referral.pk)]
    if expected_version is not None and current.version != expected_version:
        raise StaleReferral(current)
    index = ids.index(referral.pk)
    other_index = index - 1 if direction == WaitingListMove.Direction.UP else index + 1
    if not 0 <= other_index < len(waiting):
        where = "first" if direction == WaitingListMove.Direction.UP else "last"
        raise ApplicationError(f"This referral is already {where} on the waiting list.")
    passed = waiting[other_index]
    mine = (current.place_rank, current.place_at)  # type: ignore[attr-defined]
    theirs = (passed.place_rank, passed.place_at)  # type: ignore[attr-defined]
    if mine == theirs:
        # Level on urgency and time, they stand in the order they were made: part them.
        nudge = timedelta(microseconds=1)
        theirs = (theirs[0], theirs[1] - nudge if other_index < index else theirs[1] + nudge)
    events = []
    for moved, (rank, at), positions in (
        (current, theirs, (index + 1, other_index + 1)),
        (passed, mine, (other_index + 1, index + 1)),
    ):
        before = {"position": positions[0], "version": moved.version}
        moved.waiting_rank, moved.waiting_order = rank, at
        moved.version += 1
        moved.save(update_fields=["waiting_rank", "waiting_order", "version", "updated_at"])
        events.append(
            EventData(
                action=AuditAction.UPDATE,
                object_type=REFERRAL,
                object_id=str(moved.pk),
                person_id=moved.person_id,
                reason=f"Moved on the waiting list: {reason}"[:1000],
                changes=diff(before, {"position": positions[1], "version": moved.version}),
            )
        )
    move = WaitingListMove(
        referral=current,
        passed=passed,
        direction=direction,
        from_position=index + 1,
        to_position=other_index + 1,
        by=actor.user,
        organisation=actor.organisation,
        reason=reason,
    )
    move.full_clean()
    move.save()
    record_events(actor=actor, request=request, events=events)
    return move


@ACTIONS.service("start")
@transaction.atomic
def referral_start(
    *,
    actor: Membership,
    referral: Referral,
    note: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Support has begun (the first session attended, the first meeting held)."""
    ACTIONS.authorise("start", actor, referral)
    current = _locked(referral, expected_version)
    current = _move(
        actor=actor,
        referral=current,
        action="start",
        note=note,
        request=request,
        started_at=timezone.now(),
    )
    _tell_referrer(current, actor, "started")
    return current


def _end(
    action: str,
    *,
    actor: Membership,
    referral: Referral,
    expected_version: int | None,
    request: HttpRequest | None,
    note: str = "",
    **fields: Any,
) -> Referral:
    """Take an action that ends the support: the receiving organisation's work with the person
    ends with it (unless something else holds it; an agreement's follow-up window still lets it
    follow up the outcome)."""
    current = _locked(referral, expected_version)
    current = _move(
        actor=actor,
        referral=current,
        action=action,
        note=note,
        request=request,
        ended_at=timezone.now(),
        **fields,
    )
    _stop_working(actor, current, ACTIONS[action].done, request)
    return current


@ACTIONS.service("complete")
@transaction.atomic
def referral_complete(
    *,
    actor: Membership,
    referral: Referral,
    outcome: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """The support has ended, with what it achieved."""
    ACTIONS.begin("complete", actor, referral, outcome=outcome)
    current = _end(
        "complete",
        actor=actor,
        referral=referral,
        expected_version=expected_version,
        request=request,
        outcome=outcome.strip(),
    )
    _tell_referrer(current, actor, "completed")
    return current


@ACTIONS.service("close")
@transaction.atomic
def referral_close(
    *,
    actor: Membership,
    referral: Referral,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Close because the person could not be engaged (after acceptance or while waiting)."""
    ACTIONS.begin("close", actor, referral, reason=reason)
    current = _end(
        "close",
        actor=actor,
        referral=referral,
        expected_version=expected_version,
        request=request,
        note=reason,
        end_reason=reason.strip(),
        waiting_since=None,
    )
    _tell_referrer(current, actor, "closed (unable to engage)")
    return current


@ACTIONS.service("withdraw")
@transaction.atomic
def referral_withdraw(
    *,
    actor: Membership,
    referral: Referral,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """The referrer withdraws the referral (the person moved, was recalled, changed their mind).
    The receiving organisation is told if it had been sent."""
    ACTIONS.begin("withdraw", actor, referral, reason=reason)
    current = _end(
        "withdraw",
        actor=actor,
        referral=referral,
        expected_version=expected_version,
        request=request,
        note=reason,
        end_reason=reason.strip(),
        waiting_since=None,
    )
    if current.submitted_at is not None:
        notify(
            recipients=_receiving_staff(current.service),
            organisation=actor.organisation,
            subject=f"A referral to {current.service.name} was withdrawn",
            body=f"{actor.organisation.name} withdrew a referral to {current.service.name}.",
            link=_link(current),
        )
    return current


# Signposting -----------------------------------------------------------------------------------


@transaction.atomic
def signposting_record(
    *,
    actor: Membership,
    person: Person,
    pathway: str,
    signposted_on: date,
    service: Service | None = None,
    service_name: str = "",
    note: str = "",
    follow_up_on: date | None = None,
    from_referral: Referral | None = None,
    request: HttpRequest | None = None,
) -> Signposting:
    """Record that the person was told about a service without a formal referral."""
    if not policy.can_refer(actor, person):
        raise PermissionDenied("You cannot record signposting for this person")
    errors: dict[str, list[str]] = {}
    if service is not None and not policy.services_visible_to(actor).filter(pk=service.pk).exists():
        errors["service"] = ["Choose a service from the directory"]
    if service is None and not (service_name or "").strip():
        errors["service_name"] = ["Choose a service from the directory, or enter its name"]
    if signposted_on and signposted_on > date.today():
        errors["signposted_on"] = ["The date must be today or in the past"]
    if follow_up_on and signposted_on and follow_up_on < signposted_on:
        errors["follow_up_on"] = ["The follow-up date must be on or after the signposting date"]
    if pathway not in Pathway.values:
        errors["pathway"] = ["Choose a pathway"]
    if from_referral is not None and not (
        from_referral.person_id == person.pk and policy.is_referral_receiver(actor, from_referral)
    ):
        errors["from_referral"] = ["Signpost from a referral your organisation received"]
    if errors:
        raise ValidationError(errors)
    signposting = Signposting(
        person=person,
        organisation=actor.organisation,
        signposted_by=actor.user,
        service=service,
        service_name="" if service is not None else service_name.strip(),
        from_referral=from_referral,
        pathway=pathway,
        note=(note or "").strip(),
        signposted_on=signposted_on,
        follow_up_on=follow_up_on,
    )
    signposting.full_clean()
    signposting.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.CREATE,
                object_type=SIGNPOSTING,
                object_id=str(signposting.pk),
                person_id=person.pk,
                changes=diff({}, {"to": signposting.destination, "pathway": pathway}),
            )
        ],
    )
    return signposting


@transaction.atomic
def signposting_follow_up(
    *,
    actor: Membership,
    signposting: Signposting,
    follow_up: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Signposting:
    """Record whether the person went. Only the organisation that signposted records it."""
    if not policy.may_follow_up(actor, signposting):
        raise PermissionDenied("Only the organisation that signposted can record the follow-up")
    if follow_up not in FollowUp.values or follow_up == FollowUp.NOT_YET:
        raise ValidationError({"follow_up": "Choose whether they went"})
    before = {"follow_up": signposting.follow_up}
    signposting.follow_up = follow_up
    signposting.follow_up_note = (note or "").strip()
    signposting.followed_up_at = timezone.now()
    signposting.followed_up_by = actor.user
    signposting.full_clean()
    signposting.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type=SIGNPOSTING,
                object_id=str(signposting.pk),
                person_id=signposting.person_id,
                changes=diff(before, {"follow_up": follow_up}),
            )
        ],
    )
    return signposting
