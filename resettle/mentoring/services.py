"""Every write to mentor profiles, mentee preferences, mentor allocations and supervision notes.
Each checks the policy, validates everything before saving anything, records the audit trail and
runs in one transaction.

Allocating a mentor sets `Case.mentor` on the mentoring organisation's live case for the person
(opening one if there is none) and allocates the organisation's working relationship to the
mentor, which is how a peer mentor comes to see the person (DESIGN §4)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, Role, User
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.cases import services as case_services
from resettle.cases.models import Case, CaseEvent, CaseEventKind, Task, TaskKind
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.mentoring import selectors
from resettle.mentoring.matching import mentor_problems
from resettle.mentoring.models import (
    AllocationEndReason,
    MenteePreferences,
    MentorAllocation,
    MentorProfile,
    SupervisionNote,
)
from resettle.notifications.services import notify
from resettle.people.models import Person, WorkingRelationship

PROFILE = "mentor_profile"
PREFERENCES = "mentee_preferences"
ALLOCATION = "mentor_allocation"
SUPERVISION_NOTE = "supervision_note"

PROFILE_FIELDS = (
    "gender",
    "lived_experience",
    "languages",
    "area",
    "interests",
    "availability",
    "capacity",
    "training_completed_on",
    "dbs_checked_on",
    "dbs_expires_on",
    "active",
)
PREFERENCE_FIELDS = (
    "preferred_gender",
    "lived_experience",
    "languages",
    "interests",
    "area",
    "notes",
)
CANNOT_MANAGE = "Only your organisation's caseworkers, coordinators and admins manage mentors"
CANNOT_ALLOCATE = (
    "Only caseworkers and coordinators working with this person can match and allocate a mentor"
)


def _check_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _full_clean(instance, errors: dict[str, list[str]] | None = None, **kwargs) -> None:
    errors = dict(errors or {})
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _name(user: User | None) -> str:
    if user is None:
        return "A former member of staff"
    return user.get_full_name() or user.get_username()


# Profiles --------------------------------------------------------------------------------------


def mentors_without_profile(*, actor: Membership) -> list[User]:
    """The organisation's current peer mentors who have no profile yet."""
    return list(
        User.objects.filter(
            memberships__organisation_id=actor.organisation_id,
            memberships__role=Role.PEER_MENTOR,
            memberships__ended_on__isnull=True,
        )
        .exclude(mentor_profiles__organisation_id=actor.organisation_id)
        .order_by("first_name", "last_name")
        .distinct()
    )


@transaction.atomic
def mentor_profile_create(
    *,
    actor: Membership,
    user: User,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> MentorProfile:
    if not policy.can_manage_mentors(actor):
        raise PermissionDenied(CANNOT_MANAGE)
    _check_fields(data, PROFILE_FIELDS)
    errors: dict[str, list[str]] = {}
    if user.pk not in {u.pk for u in mentors_without_profile(actor=actor)}:
        errors["user"] = ["Choose a peer mentor in your organisation who has no profile yet"]
    profile = MentorProfile(user=user, organisation=actor.organisation, **data)
    _full_clean(profile, errors, exclude=["user"], validate_constraints=False)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise ApplicationError(f"{_name(user)} already has a mentor profile") from exc
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=PROFILE,
        object_id=profile.pk,
        changes=diff({}, {name: getattr(profile, name) for name in PROFILE_FIELDS}),
        request=request,
    )
    return profile


@transaction.atomic
def mentor_profile_update(
    *,
    actor: Membership,
    profile: MentorProfile,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> MentorProfile:
    if not policy.can_edit_mentor_profile(actor, profile):
        raise PermissionDenied(CANNOT_MANAGE)
    _check_fields(data, PROFILE_FIELDS)
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    before = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    for name, value in data.items():
        setattr(profile, name, value)
    _full_clean(profile)
    changes = diff(before, {name: getattr(profile, name) for name in PROFILE_FIELDS})
    if not changes:
        return profile
    profile.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=PROFILE,
        object_id=profile.pk,
        changes=changes,
        request=request,
    )
    return profile


# Preferences -----------------------------------------------------------------------------------


@transaction.atomic
def mentee_preferences_save(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> MenteePreferences:
    if not policy.can_allocate_mentor(actor, person):
        raise PermissionDenied(CANNOT_ALLOCATE)
    _check_fields(data, PREFERENCE_FIELDS)
    preferences, created = MenteePreferences.objects.select_for_update().get_or_create(
        person=person, organisation=actor.organisation, defaults={"updated_by": actor.user}
    )
    before = {} if created else {name: getattr(preferences, name) for name in PREFERENCE_FIELDS}
    for name, value in data.items():
        setattr(preferences, name, value)
    preferences.updated_by = actor.user
    _full_clean(preferences, validate_constraints=False)
    preferences.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=PREFERENCES,
        object_id=preferences.pk,
        person=person,
        category=Category.CASE_NOTES,
        changes=diff(before, {name: getattr(preferences, name) for name in PREFERENCE_FIELDS}),
        request=request,
    )
    return preferences


# Allocation ------------------------------------------------------------------------------------


def _check_allocation(
    *,
    actor: Membership,
    person: Person,
    mentor: MentorProfile,
    override_reason: str,
) -> str:
    """Refuse what may never happen; return the problems a manager overrode (or raise)."""
    if not policy.can_allocate_mentor(actor, person):
        raise PermissionDenied(CANNOT_ALLOCATE)
    if mentor.organisation_id != actor.organisation_id or not mentor.active:
        raise ValidationError({"mentor": ["Choose an active mentor from your organisation"]})
    suitability = selectors.suitability_for_mentoring(actor=actor, person=person)
    if suitability.blocks:
        raise ApplicationError(suitability.notes[0])
    problems = mentor_problems(mentor, selectors.mentee_count(mentor), date.today())
    if not problems:
        return ""
    summary = "; ".join(problems)
    if not override_reason:
        if policy.can_override_mentor_checks(actor):
            raise ValidationError(
                {
                    "override_reason": [
                        f"{_name(mentor.user)} cannot take a mentee now ({summary}). "
                        "Enter why you are allocating them anyway, or choose another mentor"
                    ]
                }
            )
        raise ApplicationError(
            f"{_name(mentor.user)} cannot take a mentee now ({summary}). Choose another "
            "mentor, or ask a coordinator or admin to allocate them with a reason."
        )
    if not policy.can_override_mentor_checks(actor):
        raise PermissionDenied(
            "Only a coordinator or admin can allocate a mentor who is full or whose checks are "
            "out of date"
        )
    return summary


def _lock_mentor(mentor: MentorProfile) -> MentorProfile:
    # Allocations to one mentor are made one at a time, so two never both take the last place.
    return (
        MentorProfile.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=mentor.pk)
    )


def _case_for(actor: Membership, person: Person, request: HttpRequest | None) -> Case:
    case = selectors.live_case(actor=actor, person=person)
    if case is None:
        return case_services.case_open(
            actor=actor,
            person=person,
            opened_on=date.today(),
            note="Opened to allocate a mentor",
            request=request,
        )
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "organisation")
        .get(pk=case.pk)
    )


def _hand_over_gate_meetings(case: Case, before_id: int | None, user: User | None) -> int:
    """Gate meetings still to come are the mentor's: a new mentor takes over those planned for
    nobody, the previous mentor or the case's worker; when mentoring ends, the worker does."""
    to = user if user is not None else case.worker
    holders = Q(assigned_to__isnull=True) | Q(assigned_to_id=case.worker_id)
    if before_id is not None:
        holders |= Q(assigned_to_id=before_id)
    return (
        Task.objects.filter(
            holders,
            case=case,
            kind=TaskKind.GATE_MEETING,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__gte=timezone.now(),
        )
        .exclude(assigned_to=to)
        .update(assigned_to=to)
    )


def _set_case_mentor(case: Case, user: User | None, actor: Membership, note: str) -> None:
    before = case.mentor_id
    case.mentor = user
    case.version += 1
    case.save(update_fields=["mentor", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.ALLOCATED, on=date.today(), by=actor.user, note=note[:1000]
    )
    _hand_over_gate_meetings(case, before, user)
    relationship = (
        WorkingRelationship.objects.select_for_update(of=("self",))
        .filter(person=case.person, organisation=case.organisation, ended_on__isnull=True)
        .first()
    )
    if relationship is None:
        WorkingRelationship.objects.create(
            person=case.person,
            organisation=case.organisation,
            started_on=date.today(),
            allocated_to=user,
        )
    elif user is not None or relationship.allocated_to_id == before:
        # Ending an allocation takes the person off that mentor's list; it leaves a worker be.
        relationship.allocated_to = user
        relationship.save(update_fields=["allocated_to", "updated_at"])


def _audit_allocation(
    actor: Membership,
    allocation: MentorAllocation,
    action: str,
    changes: dict,
    request: HttpRequest | None,
    reason: str = "",
) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type=ALLOCATION,
        object_id=allocation.pk,
        person=allocation.case.person,
        category=Category.CASE_NOTES,
        reason=reason[:1000],
        changes=changes,
        request=request,
    )


def _start(
    *,
    actor: Membership,
    case: Case,
    mentor: MentorProfile,
    override_reason: str,
    overridden: str,
    request: HttpRequest | None,
) -> MentorAllocation:
    allocation = MentorAllocation(
        case=case,
        mentor=mentor,
        started_on=date.today(),
        override_reason=override_reason if overridden else "",
        allocated_by=actor.user,
    )
    _full_clean(allocation, validate_constraints=False)
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "Someone else allocated a mentor to this person at the same time. Look at theirs."
        ) from exc
    note = f"Mentor {_name(mentor.user)} allocated"
    if overridden:
        note += f" despite: {overridden}. Reason: {override_reason}"
    _set_case_mentor(case, mentor.user, actor, note)
    _audit_allocation(
        actor,
        allocation,
        AuditAction.CREATE,
        diff({}, {"mentor": mentor.pk, "case": case.pk, "started_on": allocation.started_on}),
        request,
        reason=f"Override ({overridden}): {override_reason}" if overridden else "",
    )
    notify(
        recipients=[mentor.user],
        organisation=case.organisation,
        subject="You have a new mentee",
        body=f"You are now {case.person.full_name}'s mentor. Their record and any gate "
        "meeting are on your today page.",
        link=reverse("people:detail", args=[case.person.pk]),
        email_body="You have been allocated a new mentee in Resettle. Sign in to see who.",
    )
    return allocation


def _clean_reason(value: str) -> str:
    return (value or "").strip()


@transaction.atomic
def mentor_allocate(
    *,
    actor: Membership,
    person: Person,
    mentor: MentorProfile,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> MentorAllocation:
    """Allocate the mentor to the person. A mentor who is full or whose checks are out of date
    is refused unless a coordinator or admin gives a reason, which is audited."""
    override_reason = _clean_reason(override_reason)
    mentor = _lock_mentor(mentor)
    overridden = _check_allocation(
        actor=actor, person=person, mentor=mentor, override_reason=override_reason
    )
    if selectors.current_allocation(actor=actor, person=person) is not None:
        raise ApplicationError(
            f"{person.full_name} already has a mentor. Reallocate instead, to keep the history."
        )
    case = _case_for(actor, person, request)
    return _start(
        actor=actor,
        case=case,
        mentor=mentor,
        override_reason=override_reason,
        overridden=overridden,
        request=request,
    )


def _end(
    *,
    actor: Membership,
    allocation: MentorAllocation,
    reason: str,
    note: str,
    request: HttpRequest | None,
) -> None:
    allocation.ended_on = date.today()
    allocation.end_reason = reason
    allocation.end_note = note
    allocation.ended_by = actor.user
    _full_clean(allocation, validate_constraints=False)
    allocation.save()
    _audit_allocation(
        actor,
        allocation,
        AuditAction.STATE_CHANGE,
        diff({"ended_on": None}, {"ended_on": allocation.ended_on, "end_reason": reason}),
        request,
    )


@transaction.atomic
def mentor_reallocate(
    *,
    actor: Membership,
    person: Person,
    mentor: MentorProfile,
    note: str = "",
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> MentorAllocation:
    """End the current mentor's allocation and start the new mentor's, on the same case."""
    override_reason = _clean_reason(override_reason)
    if not policy.can_allocate_mentor(actor, person):
        raise PermissionDenied(CANNOT_ALLOCATE)
    current = selectors.current_allocation(actor=actor, person=person)
    if current is None:
        raise ApplicationError(f"{person.full_name} has no mentor to replace. Allocate one.")
    if current is not None and current.mentor_id == mentor.pk:
        raise ValidationError({"mentor": [f"{_name(mentor.user)} is already their mentor"]})
    mentor = _lock_mentor(mentor)
    overridden = _check_allocation(
        actor=actor, person=person, mentor=mentor, override_reason=override_reason
    )
    previous = current.mentor.user
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "organisation")
        .get(pk=current.case_id)
    )
    _end(
        actor=actor,
        allocation=current,
        reason=AllocationEndReason.REALLOCATED,
        note=_clean_reason(note),
        request=request,
    )
    allocation = _start(
        actor=actor,
        case=case,
        mentor=mentor,
        override_reason=override_reason,
        overridden=overridden,
        request=request,
    )
    notify(
        recipients=[previous],
        organisation=case.organisation,
        subject="A mentee has moved to another mentor",
        body=f"{case.person.full_name} now has another mentor. Thank you for your work with them.",
        email_body="One of your mentees has moved to another mentor. Sign in to see who.",
    )
    return allocation


@transaction.atomic
def mentor_allocation_end(
    *,
    actor: Membership,
    person: Person,
    end_reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> MentorAllocation:
    """End the person's current mentoring. The case stays open: its worker decides about it."""
    if not policy.can_allocate_mentor(actor, person):
        raise PermissionDenied(CANNOT_ALLOCATE)
    errors: dict[str, list[str]] = {}
    if (
        end_reason not in AllocationEndReason.values
        or end_reason == AllocationEndReason.REALLOCATED
    ):
        errors["end_reason"] = ["Select why the mentoring is ending"]
    note = _clean_reason(note)
    if end_reason == AllocationEndReason.OTHER and not note:
        errors["note"] = ["Enter why the mentoring is ending"]
    if errors:
        raise ValidationError(errors)
    current = selectors.current_allocation(actor=actor, person=person)
    if current is None:
        raise ApplicationError(f"{person.full_name} has no mentor now")
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "organisation")
        .get(pk=current.case_id)
    )
    _end(actor=actor, allocation=current, reason=end_reason, note=note, request=request)
    if case.mentor_id == current.mentor.user_id:
        label = AllocationEndReason(end_reason).label
        _set_case_mentor(
            case, None, actor, f"Mentoring by {_name(current.mentor.user)} ended: {label}"
        )
    notify(
        recipients=[current.mentor.user],
        organisation=case.organisation,
        subject="Mentoring has ended",
        body=f"Your mentoring of {case.person.full_name} has ended: "
        f"{AllocationEndReason(end_reason).label.lower()}.",
        email_body="Your mentoring of one of your mentees has ended. Sign in to see who.",
    )
    return current


# Supervision notes -----------------------------------------------------------------------------


@transaction.atomic
def supervision_note_create(
    *,
    actor: Membership,
    mentor: MentorProfile,
    held_on: date,
    note: str,
    request: HttpRequest | None = None,
) -> SupervisionNote:
    if not policy.can_write_supervision_notes(actor, mentor):
        raise PermissionDenied("Only managers in the mentor's organisation write supervision notes")
    errors: dict[str, list[str]] = {}
    if held_on and held_on > date.today():
        errors["held_on"] = ["The date of the supervision must be today or in the past"]
    supervision = SupervisionNote(
        mentor=mentor, written_by=actor.user, held_on=held_on, note=(note or "").strip()
    )
    _full_clean(supervision, errors)
    supervision.save()
    # No person: a supervision note is about the mentor, and never part of anyone's record.
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=SUPERVISION_NOTE,
        object_id=supervision.pk,
        changes=diff({}, {"mentor": mentor.pk, "held_on": held_on}),
        request=request,
    )
    return supervision
