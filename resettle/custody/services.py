"""Every write to custody periods and pre-release checklists. A recall pauses every open case of
the person (never closes or resets them); a release resumes them with a gate-meeting task. Each
service checks the policy, validates everything before saving anything, records the audit trail
and runs in one transaction."""

from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.cases import services as case_services
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.custody.models import (
    CHECKLIST_PATHWAYS,
    ChecklistItem,
    ChecklistStatus,
    ChecklistUpdate,
    CustodyEvent,
    CustodyEventKind,
    CustodyKind,
    CustodyPeriod,
    RecallReason,
    ReleaseType,
)
from resettle.people.models import Person

PERIOD = "custody_period"
CHECKLIST_ITEM = "release_checklist_item"
CANNOT_RECORD = (
    "Custody is recorded by probation, the prison resettlement team or the lead charity, by "
    "someone working with the person who can see their custody record."
)
PERIOD_FIELDS = frozenset(
    {
        "kind",
        "start_date",
        "establishment",
        "expected_release_date",
        "conditional_release_date",
        "licence_end_date",
        "supervision_end_date",
        "licence_conditions",
    }
)
AUDITED_FIELDS = (
    "kind",
    "start_date",
    "establishment",
    "expected_release_date",
    "conditional_release_date",
    "licence_end_date",
    "supervision_end_date",
)
# Release types that fit each kind of period.
RELEASE_TYPES: dict[str, set[ReleaseType]] = {
    CustodyKind.REMAND: {ReleaseType.BAIL, ReleaseType.END_OF_REMAND, ReleaseType.OTHER},
    CustodyKind.SENTENCE: {
        ReleaseType.CONDITIONAL,
        ReleaseType.AUTOMATIC,
        ReleaseType.HOME_DETENTION_CURFEW,
        ReleaseType.PAROLE,
        ReleaseType.OTHER,
    },
}


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _check_recorder(actor: Membership, person: Person) -> None:
    if not policy.can_record_custody(actor, person):
        raise PermissionDenied(CANNOT_RECORD)


def _lock_person(person: Person) -> None:
    # One custody change per person at a time, so two never overlap periods between them.
    Person.objects.select_for_update().filter(pk=person.pk).first()


def overlap_error(person: Person, start_date: date, exclude: CustodyPeriod | None = None) -> str:
    """Why a period starting on `start_date` would overlap another of the person's, or ""."""
    others = CustodyPeriod.objects.filter(person=person)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others.order_by("-start_date"):
        if other.in_custody:
            return (
                f"{person.full_name} is already in custody (the period from "
                f"{_day(other.start_date)}). Record their release before a new period."
            )
        # Out of custody since the latest release: a new period starts after it.
        assert other.released_on is not None  # not in custody, so released
        last_out = max(d for d in (other.released_on, other.ended_on) if d is not None)
        if start_date <= last_out:
            return (
                f"This would overlap the period from {_day(other.start_date)}, which ended "
                f"with a release on {_day(other.released_on)}. The start date must be after "
                f"{_day(last_out)}."
            )
    return ""


def _period_errors(period: CustodyPeriod) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        period.full_clean(exclude=["recorded_by", "person"], validate_constraints=False)
    except ValidationError as exc:
        errors = {k: list(v) for k, v in exc.message_dict.items()}
    start = period.start_date
    if start and start > date.today():
        errors.setdefault("start_date", []).append("The start date must be today or in the past")
    if start:
        for name, label in (
            ("expected_release_date", "The expected release date"),
            ("conditional_release_date", "The conditional release date"),
            ("licence_end_date", "The licence end date"),
            ("supervision_end_date", "The end of post-sentence supervision"),
        ):
            value = getattr(period, name)
            if value is not None and value < start:
                errors.setdefault(name, []).append(
                    f"{label} must be on or after the start date, {_day(start)}"
                )
    licence_end, supervision_end = period.licence_end_date, period.supervision_end_date
    if licence_end and supervision_end and supervision_end < licence_end:
        errors.setdefault("supervision_end_date", []).append(
            "Post-sentence supervision must end on or after the licence ends"
        )
    if period.kind == CustodyKind.REMAND and (licence_end or period.conditional_release_date):
        errors.setdefault("kind", []).append(
            "Remand has no licence or conditional release date. Record a sentence instead."
        )
    return errors


def _audit(
    actor: Membership,
    person: Person,
    events: list[EventData],
    request: HttpRequest | None,
) -> None:
    record_events(actor=actor, events=events, request=request)


@transaction.atomic
def custody_period_record(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> CustodyPeriod:
    """Record a period of remand or sentence: the person is in custody from its start date."""
    _check_recorder(actor, person)
    unknown = sorted(set(data) - PERIOD_FIELDS)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})
    _lock_person(person)
    period = CustodyPeriod(person=person, recorded_by=actor.user, **data)
    errors = _period_errors(period)
    if period.start_date and "start_date" not in errors:
        overlap = overlap_error(person, period.start_date)
        if overlap:
            errors.setdefault("start_date", []).append(overlap)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError as exc:
        raise ApplicationError(
            f"{person.full_name} is already in custody. Record their release first."
        ) from exc
    CustodyEvent.objects.create(
        period=period,
        kind=CustodyEventKind.STARTED,
        on=period.start_date,
        establishment=period.establishment,
        recorded_by=actor.user,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(period=period, kind=kind, pathway=pathway)
        for kind, pathway in CHECKLIST_PATHWAYS.items()
    )
    values = {name: getattr(period, name) for name in AUDITED_FIELDS}
    events = [
        EventData(
            action=AuditAction.CREATE,
            object_type=PERIOD,
            object_id=str(period.pk),
            person_id=person.pk,
            category=Category.CUSTODY,
            changes=diff({}, values),
        )
    ]
    if period.licence_conditions:
        events.append(
            EventData(
                action=AuditAction.UPDATE,
                object_type=PERIOD,
                object_id=str(period.pk),
                person_id=person.pk,
                category=Category.RISK_SUITABILITY,
                changes={"licence_conditions": [None, "recorded"]},
            )
        )
    _audit(actor, person, events, request)
    return period


def _locked(period: CustodyPeriod) -> CustodyPeriod:
    return (
        CustodyPeriod.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=period.pk)
    )


@transaction.atomic
def custody_release(
    *,
    actor: Membership,
    period: CustodyPeriod,
    released_on: date | None,
    release_type: str,
    release_address: str = "",
    no_fixed_abode: bool = False,
    licence_conditions: str | None = None,
    licence_end_date: date | None = None,
    gate_meeting_time: time | None = None,
    gate_meeting_place: str = "",
    request: HttpRequest | None = None,
) -> CustodyPeriod:
    """Record a release (the first, or a further one after a recall). The cases a recall paused
    resume, and every live case gets a gate-meeting task on the release day."""
    person = period.person
    _check_recorder(actor, person)
    _lock_person(person)
    period = _locked(period)
    if not period.in_custody:
        assert period.released_on is not None  # not in custody, so released
        raise ApplicationError(
            f"{person.full_name} is not in custody in this period: they were released on "
            f"{_day(period.released_on)}. Record a recall or a new custody period first."
        )
    errors: dict[str, list[str]] = {}
    if released_on is None:
        errors["released_on"] = ["Enter the release date"]
    else:
        if released_on > date.today():
            errors["released_on"] = [
                "The release date must be today or in the past. Put a planned release in the "
                "expected release date."
            ]
        if released_on < period.start_date:
            errors.setdefault("released_on", []).append(
                f"The release date must be on or after the start of custody, "
                f"{_day(period.start_date)}"
            )
        # Dates order the story: a further release the day of the recall could not be told
        # apart from no recall at all.
        if period.recalled_on and released_on <= period.recalled_on:
            errors.setdefault("released_on", []).append(
                f"The release date must be after the recall, {_day(period.recalled_on)}"
            )
    if release_type not in RELEASE_TYPES[period.kind]:
        errors["release_type"] = ["Choose a type of release that fits this period"]
    address = (release_address or "").strip()
    if no_fixed_abode and address:
        errors["release_address"] = [
            "Enter the address on release, or select no fixed abode, not both"
        ]
    elif not no_fixed_abode and not address:
        errors["release_address"] = ["Enter the address on release, or select no fixed abode"]
    elif len(address) > 300:
        errors["release_address"] = ["The address must be 300 characters or fewer"]
    if licence_conditions is not None and len(licence_conditions) > 4000:
        errors["licence_conditions"] = ["Licence conditions must be 4000 characters or fewer"]
    if licence_end_date and released_on and licence_end_date < released_on:
        errors["licence_end_date"] = ["The licence must end on or after the release date"]
    place = (gate_meeting_place or "").strip()
    if len(place) > 200:
        errors["gate_meeting_place"] = ["The meeting place must be 200 characters or fewer"]
    if errors:
        raise ValidationError(errors)
    assert released_on is not None  # refused above when missing

    further = period.released_on is not None
    before = {"released_on": period.released_on, "release_type": period.release_type}
    period.released_on, period.release_type = released_on, release_type
    if licence_end_date:
        period.licence_end_date = licence_end_date
    conditions_changed = (
        licence_conditions is not None and licence_conditions.strip() != period.licence_conditions
    )
    if licence_conditions is not None and conditions_changed:
        period.licence_conditions = licence_conditions.strip()
    period.save()
    CustodyEvent.objects.create(
        period=period,
        kind=CustodyEventKind.RELEASED,
        on=released_on,
        release_type=release_type,
        establishment=period.establishment,
        release_address="" if no_fixed_abode else address,
        no_fixed_abode=no_fixed_abode,
        recorded_by=actor.user,
    )
    case_services.cases_resume_on_release(
        actor=actor,
        person=person,
        on=released_on,
        at=gate_meeting_time,
        place=place or case_services.default_gate_place(period.establishment),
        request=request,
    )
    events = [
        EventData(
            action=AuditAction.STATE_CHANGE,
            object_type=PERIOD,
            object_id=str(period.pk),
            person_id=person.pk,
            category=Category.CUSTODY,
            reason="Further release after recall" if further else "Release",
            changes=diff(before, {"released_on": released_on, "release_type": release_type}),
        )
    ]
    if conditions_changed:
        events.append(
            EventData(
                action=AuditAction.UPDATE,
                object_type=PERIOD,
                object_id=str(period.pk),
                person_id=person.pk,
                category=Category.RISK_SUITABILITY,
                changes={"licence_conditions": ["before", "changed"]},
            )
        )
    _audit(actor, person, events, request)
    return period


@transaction.atomic
def custody_recall(
    *,
    actor: Membership,
    period: CustodyPeriod,
    recalled_on: date | None,
    recall_reason: str,
    request: HttpRequest | None = None,
) -> CustodyPeriod:
    """Record a recall to custody. Every open case of the person, in every organisation, is
    paused (never closed), and each case's worker and mentor told; working relationships stay
    open, so contact can continue in custody."""
    person = period.person
    _check_recorder(actor, person)
    _lock_person(person)
    period = _locked(period)
    if period.in_custody:
        raise ApplicationError(
            f"{person.full_name} has not been released from this custody period, so cannot be "
            "recalled. Record their release first."
        )
    if period.ended_on is not None:
        raise ApplicationError(
            f"This custody period ended on {_day(period.ended_on)}: its licence is over, so "
            "there is nothing to recall from. Record a new custody period instead."
        )
    assert period.released_on is not None  # not in custody, so released
    errors: dict[str, list[str]] = {}
    if recalled_on is None:
        errors["recalled_on"] = ["Enter the date of the recall"]
    else:
        if recalled_on > date.today():
            errors["recalled_on"] = ["The date of the recall must be today or in the past"]
        if recalled_on <= period.released_on:
            errors.setdefault("recalled_on", []).append(
                f"The date of the recall must be after the release, {_day(period.released_on)}"
            )
    if recall_reason not in RecallReason.values:
        errors["recall_reason"] = ["Select the reason for the recall"]
    if errors:
        raise ValidationError(errors)
    assert recalled_on is not None  # refused above when missing
    later = CustodyPeriod.objects.filter(person=person, start_date__gt=period.start_date)
    if later.exists():
        raise ApplicationError(
            "A later custody period has been recorded for this person. Record the recall on "
            "that one."
        )
    before = {"recalled_on": period.recalled_on}
    period.recalled_on, period.recall_reason = recalled_on, recall_reason
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError as exc:
        raise ApplicationError(f"{person.full_name} is already in custody.") from exc
    CustodyEvent.objects.create(
        period=period,
        kind=CustodyEventKind.RECALLED,
        on=recalled_on,
        recall_reason=recall_reason,
        establishment=period.establishment,
        recorded_by=actor.user,
    )
    case_services.cases_pause_for_recall(
        actor=actor, person=person, on=recalled_on, request=request
    )
    _audit(
        actor,
        person,
        [
            EventData(
                action=AuditAction.STATE_CHANGE,
                object_type=PERIOD,
                object_id=str(period.pk),
                person_id=person.pk,
                category=Category.CUSTODY,
                reason="Recall",
                changes=diff(before, {"recalled_on": recalled_on}),
            ),
            # The reason is offence information: its own event, under that category.
            EventData(
                action=AuditAction.UPDATE,
                object_type=PERIOD,
                object_id=str(period.pk),
                person_id=person.pk,
                category=Category.OFFENCE,
                changes={"recall_reason": [None, recall_reason]},
            ),
        ],
        request,
    )
    return period


@transaction.atomic
def checklist_item_update(
    *,
    actor: Membership,
    item: ChecklistItem,
    status: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ChecklistItem:
    """Change one pre-release checklist item's status; the change is kept as a dated update."""
    person = item.period.person
    if not policy.can_update_release_checklist(actor, person):
        raise PermissionDenied(
            "Only those recording custody, or working this person's case, can update the checklist"
        )
    errors: dict[str, list[str]] = {}
    if status not in ChecklistStatus.values:
        errors["status"] = ["Select a status"]
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = ["The note must be 500 characters or fewer"]
    if errors:
        raise ValidationError(errors)
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if status == item.status and note == item.note:
        return item
    before = item.status
    item.status, item.note = status, note
    item.updated_on, item.updated_by = date.today(), actor.user
    item.save()
    ChecklistUpdate.objects.create(
        item=item,
        status=status,
        note=note,
        on=item.updated_on,
        by=actor.user,
        organisation=actor.organisation,
    )
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type=CHECKLIST_ITEM,
                object_id=str(item.pk),
                person_id=person.pk,
                category=Category.CUSTODY,
                changes=diff({"status": before}, {"status": status}),
            )
        ],
    )
    return item
