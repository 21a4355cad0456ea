"""Every write to cases and their tasks. A case pauses on recall and resumes on release, and is
never reset: each change is a `CaseEvent`, so its whole history stays on one record. Each
service checks the policy, validates everything before saving anything, records the audit
trail and runs in one transaction."""

from datetime import date, datetime, time, timedelta
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
from resettle.audit.services import EventData, diff, record_event, record_events
from resettle.cases.lifecycle import ACTIONS, CLOSED_MESSAGE, MANAGERS_ONLY
from resettle.cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CloseReason,
    Task,
    TaskKind,
)
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.notifications.services import notify
from resettle.people.models import Person, WorkingRelationship
from resettle.people.services import working_relationship_end

CASE = "case"
TASK = "task"
# Why a case paused when a recall paused it; release resumes exactly these.
RECALL_PAUSE_REASON = "Recalled to custody"
GATE_MEETING_TIME = time(8, 0)
WORKER_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})
EDITABLE_FIELDS = ("worker", "mentor", "next_review_on")


def _staff(organisation_id, roles, on: date) -> "list[User]":
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id,
            memberships__role__in=roles,
        )
        .filter(Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gt=on))
        .distinct()
    )


def allocatable_workers(organisation_id) -> "list[User]":
    return _staff(organisation_id, WORKER_ROLES, date.today())


def allocatable_mentors(organisation_id) -> "list[User]":
    return _staff(organisation_id, {Role.PEER_MENTOR}, date.today())


def _check_people(
    organisation_id, worker: User | None, mentor: User | None, errors: dict[str, list[str]]
) -> None:
    if worker is not None and worker.pk not in {u.pk for u in allocatable_workers(organisation_id)}:
        errors.setdefault("worker", []).append(
            "Choose a worker who is a caseworker, referrer or coordinator in your organisation"
        )
    if mentor is not None and mentor.pk not in {u.pk for u in allocatable_mentors(organisation_id)}:
        errors.setdefault("mentor", []).append("Choose a peer mentor in your organisation")


def _ensure_working_relationship(case: Case, on: date) -> None:
    """The case is the organisation's reason to work with the person: access rests on an open
    working relationship, allocated to the mentor (how a mentor sees a mentee) or the worker."""
    allocated = case.mentor or case.worker
    relationship = WorkingRelationship.objects.filter(
        person=case.person, organisation=case.organisation, ended_on__isnull=True
    ).first()
    if relationship is None:
        WorkingRelationship.objects.create(
            person=case.person,
            organisation=case.organisation,
            started_on=min(on, date.today()),
            allocated_to=allocated,
        )
    elif allocated is not None and relationship.allocated_to_id != allocated.pk:
        relationship.allocated_to = allocated
        relationship.save(update_fields=["allocated_to", "updated_at"])


def _event(case: Case, kind: str, on: date, by: User | None, note: str = "") -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, on=on, by=by, note=note)
    event.full_clean()
    event.save()
    return event


def _audit(
    actor: Membership | None,
    case: Case,
    action: str,
    changes: dict,
    request: HttpRequest | None,
    *,
    user: User | None = None,
) -> None:
    record_event(
        actor=actor,
        user=user,
        action=action,
        object_type=CASE,
        object_id=case.pk,
        person=case.person,
        category=Category.CASE_NOTES,
        changes=changes,
        request=request,
    )


def _not_future(on: date | None, field: str, label: str, errors: dict[str, list[str]]) -> None:
    if on is not None and on > date.today():
        errors.setdefault(field, []).append(f"{label} must be today or in the past")


def _save(case: Case, errors: dict[str, list[str]]) -> None:
    try:
        case.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if not case._state.adding:
        case.version += 1
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ApplicationError(
            f"{case.organisation.name} already has an open or paused case for "
            f"{case.person.full_name}. Use that case instead."
        ) from exc


@transaction.atomic
def case_open(
    *,
    actor: Membership,
    person: Person,
    opened_on: date,
    worker: User | None = None,
    mentor: User | None = None,
    next_review_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Open the actor's organisation's case for the person."""
    if not policy.can_open_case(actor, person):
        raise PermissionDenied("You cannot open a case for this person")
    errors: dict[str, list[str]] = {}
    _not_future(opened_on, "opened_on", "The date the case opened", errors)
    _check_people(actor.organisation_id, worker, mentor, errors)
    if next_review_on is not None and opened_on and next_review_on <= opened_on:
        errors.setdefault("next_review_on", []).append(
            "The review date must be after the date the case opened"
        )
    live = Case.objects.filter(person=person, organisation=actor.organisation).exclude(
        state=CaseState.CLOSED
    )
    if live.exists():
        raise ApplicationError(
            f"Your organisation already has an open or paused case for {person.full_name}"
        )
    case = Case(
        person=person,
        organisation=actor.organisation,
        state=CaseState.OPEN,
        worker=worker,
        mentor=mentor,
        opened_on=opened_on,
        next_review_on=next_review_on,
    )
    _save(case, errors)
    _event(case, CaseEventKind.OPENED, opened_on, actor.user, note)
    _ensure_working_relationship(case, opened_on)
    _audit(
        actor,
        case,
        AuditAction.CREATE,
        diff(
            {},
            {
                "state": case.state,
                "opened_on": opened_on,
                "worker": worker.pk if worker else None,
                "mentor": mentor.pk if mentor else None,
            },
        ),
        request,
    )
    return case


def _check_manage(actor: Membership, case: Case) -> None:
    if not policy.can_manage_case(actor, case):
        raise PermissionDenied(MANAGERS_ONLY)
    if case.state == CaseState.CLOSED:
        raise ApplicationError(CLOSED_MESSAGE)


def _check_action(action: str, actor: Membership, case: Case) -> None:
    """The lifecycle table's rules for `action`: who may take it, and from which states."""
    ACTIONS.authorise(action, actor, case)
    ACTIONS.check_state(action, case.state, case)


def _locked(case: Case) -> Case:
    """The case row locked for this transaction, so two changes never cross."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "organisation")
        .get(pk=case.pk)
    )


@transaction.atomic
def case_update(
    *,
    actor: Membership,
    case: Case,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Case:
    """Allocate a worker or mentor, or set the next review date."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: "This field cannot be changed here" for name in unknown})
    case = _locked(case)
    _check_manage(actor, case)
    before = {
        name: getattr(case, f"{name}_id" if name != "next_review_on" else name)
        for name in EDITABLE_FIELDS
    }
    errors: dict[str, list[str]] = {}
    _check_people(case.organisation_id, data.get("worker"), data.get("mentor"), errors)
    for name, value in data.items():
        setattr(case, name, value)
    review = case.next_review_on
    if "next_review_on" in data and review is not None and review < date.today():
        errors.setdefault("next_review_on", []).append("The review date must be today or later")
    _save(case, errors)
    after = {
        name: getattr(case, f"{name}_id" if name != "next_review_on" else name)
        for name in EDITABLE_FIELDS
    }
    changes = diff(before, after)
    if not changes:
        return case
    if "worker" in changes or "mentor" in changes:
        names = ", ".join(
            f"{label} {person.get_full_name() or person.username}"
            for label, person in (("worker", case.worker), ("mentor", case.mentor))
            if person is not None
        )
        _event(
            case, CaseEventKind.ALLOCATED, date.today(), actor.user, f"Allocated: {names}"[:1000]
        )
        _ensure_working_relationship(case, date.today())
    if "next_review_on" in changes and review is not None:
        _event(
            case,
            CaseEventKind.REVIEWED,
            date.today(),
            actor.user,
            f"Next review {review:%-d %B %Y}",
        )
    _audit(actor, case, AuditAction.UPDATE, changes, request)
    return case


@ACTIONS.service("pause")
@transaction.atomic
def case_pause(
    *,
    actor: Membership,
    case: Case,
    on: date,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    case = _locked(case)
    _check_action("pause", actor, case)
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Enter why the case is paused"]
    _not_future(on, "on", "The date the case paused", errors)
    if on and on < case.opened_on:
        errors.setdefault("on", []).append("The pause must be on or after the date the case opened")
    case.state, case.pause_reason = ACTIONS["pause"].target, (reason or "").strip()[:200]
    _save(case, errors)
    _event(case, CaseEventKind.PAUSED, on, actor.user, case.pause_reason)
    _audit(
        actor,
        case,
        AuditAction.STATE_CHANGE,
        {"state": [CaseState.OPEN, CaseState.PAUSED]},
        request,
    )
    return case


@ACTIONS.service("resume")
@transaction.atomic
def case_resume(
    *, actor: Membership, case: Case, on: date, request: HttpRequest | None = None
) -> Case:
    case = _locked(case)
    _check_action("resume", actor, case)
    errors: dict[str, list[str]] = {}
    _not_future(on, "on", "The date the case resumed", errors)
    case.state, case.pause_reason = ACTIONS["resume"].target, ""
    _save(case, errors)
    _event(case, CaseEventKind.RESUMED, on, actor.user)
    _audit(
        actor,
        case,
        AuditAction.STATE_CHANGE,
        {"state": [CaseState.PAUSED, CaseState.OPEN]},
        request,
    )
    return case


@ACTIONS.service("close")
@transaction.atomic
def case_close(
    *,
    actor: Membership,
    case: Case,
    closed_on: date,
    close_reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    case = _locked(case)
    _check_action("close", actor, case)
    errors: dict[str, list[str]] = {}
    if close_reason not in CloseReason.values:
        errors["close_reason"] = ["Select why the case is closing"]
    _not_future(closed_on, "closed_on", "The date the case closed", errors)
    if closed_on and closed_on < case.opened_on:
        errors.setdefault("closed_on", []).append(
            f"The date the case closed must be on or after it opened, {case.opened_on:%-d %B %Y}"
        )
    before = case.state
    case.state, case.closed_on, case.close_reason, case.pause_reason = (
        ACTIONS["close"].target,
        closed_on,
        close_reason,
        "",
    )
    _save(case, errors)
    _event(case, CaseEventKind.CLOSED, closed_on, actor.user, note)
    # Tasks still to do go with it; done ones stay as history.
    Task.objects.filter(case=case, completed_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    working_relationship_end(
        actor=actor,
        person_id=case.person_id,
        organisation=case.organisation,
        reason=f"Case {case.pk} closed",
        request=request,
    )
    _audit(
        actor,
        case,
        AuditAction.STATE_CHANGE,
        diff(
            {"state": before},
            {"state": CaseState.CLOSED, "closed_on": closed_on, "close_reason": close_reason},
        ),
        request,
    )
    return case


@ACTIONS.service("reopen")
@transaction.atomic
def case_reopen(
    *,
    actor: Membership,
    case: Case,
    on: date,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Reopen a closed case: the same record, so its history stays with it."""
    case = _locked(case)
    _check_action("reopen", actor, case)
    errors: dict[str, list[str]] = {}
    _not_future(on, "on", "The date the case reopened", errors)
    if on and case.closed_on and on < case.closed_on:
        errors.setdefault("on", []).append(
            f"The date must be on or after the case closed, {case.closed_on:%-d %B %Y}"
        )
    closed_on, reason = case.closed_on, case.close_reason
    case.state, case.closed_on, case.close_reason = ACTIONS["reopen"].target, None, ""
    _save(case, errors)
    _event(case, CaseEventKind.REOPENED, on, actor.user, note)
    _ensure_working_relationship(case, on)
    _audit(
        actor,
        case,
        AuditAction.STATE_CHANGE,
        diff(
            {"state": CaseState.CLOSED, "closed_on": closed_on, "close_reason": reason},
            {"state": CaseState.OPEN},
        ),
        request,
    )
    return case


# Tasks -----------------------------------------------------------------------------------------


def gate_meeting_at(on: date, at: time | None = None) -> datetime:
    return timezone.make_aware(datetime.combine(on, at or GATE_MEETING_TIME))


def default_gate_place(establishment: str) -> str:
    return f"Gate of {establishment}" if establishment else "At the gate"


def _gate_meeting(case: Case, due_at: datetime, place: str) -> Task | None:
    """A gate-meeting task for the case, unless one is already planned that day."""
    day = timezone.localtime(due_at).date()
    planned = Task.objects.filter(
        case=case,
        kind=TaskKind.GATE_MEETING,
        cancelled_at__isnull=True,
        due_at__date=day,
    )
    if planned.exists():
        return None
    task = Task(
        case=case,
        kind=TaskKind.GATE_MEETING,
        title=f"Meet {case.person.full_name} at the gate",
        due_at=due_at,
        place=place[:200],
        assigned_to=case.mentor or case.worker,
    )
    task.full_clean()
    task.save()
    return task


def _gate_meetings_to_do(case: Case) -> list[Task]:
    return list(
        Task.objects.select_for_update()
        .filter(
            case=case,
            kind=TaskKind.GATE_MEETING,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .order_by("due_at", "pk")
    )


def _gate_meeting_on_release(
    case: Case, due_at: datetime, place: str, now: datetime
) -> tuple[Task | None, dict[Task, list], list[Task]]:
    """The case's gate meeting for a release: the one still to do (planned for the expected
    date) is moved to the day of release, never left beside a new one; any others still to do
    are cancelled. Returns the meeting made or moved (None if one was already planned or held
    that day), the moved meetings' changes, and the cancelled ones."""
    day = timezone.localtime(due_at).date()
    to_do = _gate_meetings_to_do(case)
    on_the_day = [t for t in to_do if timezone.localtime(t.due_at).date() == day]
    kept = on_the_day[0] if on_the_day else (to_do[0] if to_do else None)
    moved: dict[Task, list] = {}
    if kept is None:
        task = _gate_meeting(case, due_at, place)
    elif kept in on_the_day:
        task = None  # already planned for the day: nothing to change or tell
    else:
        task = kept
        moved[kept] = [kept.due_at.isoformat(), due_at.isoformat()]
        kept.due_at, kept.place = due_at, place[:200]
        kept.save(update_fields=["due_at", "place", "updated_at"])
    cancelled = [t for t in to_do if t is not kept]
    for stale in cancelled:
        stale.cancelled_at = now
        stale.save(update_fields=["cancelled_at", "updated_at"])
    return task, moved, cancelled


@transaction.atomic
def task_gate_meeting_plan(
    *,
    actor: Membership,
    case: Case,
    on: date,
    at: time,
    place: str,
    request: HttpRequest | None = None,
) -> Task:
    """Plan the gate meeting for an expected release date (release planning)."""
    case = _locked(case)
    if not policy.can_record_contact(actor, case):
        raise PermissionDenied("Only your organisation's staff on this case can plan its tasks")
    if case.state == CaseState.CLOSED:
        raise ApplicationError(CLOSED_MESSAGE)
    errors: dict[str, list[str]] = {}
    if on is not None and on < date.today():
        errors["on"] = ["The date of the gate meeting must be today or later"]
    elif on is not None and on > date.today() + timedelta(days=366):
        errors["on"] = ["The date of the gate meeting must be within the next year"]
    if not (place or "").strip():
        errors["place"] = ["Enter where to meet"]
    if errors:
        raise ValidationError(errors)
    task = _gate_meeting(case, gate_meeting_at(on, at), place.strip())
    if task is None:
        raise ApplicationError(
            f"A gate meeting is already planned for {on:%-d %B %Y}. Change that one instead."
        )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=TASK,
        object_id=task.pk,
        person=case.person,
        category=Category.CASE_NOTES,
        changes=diff({}, {"kind": task.kind, "due_at": task.due_at.isoformat()}),
        request=request,
    )
    return task


@transaction.atomic
def task_complete(*, actor: Membership, task: Task, request: HttpRequest | None = None) -> Task:
    """Mark a task done. The row is locked first, so two people completing it at once do it
    once, and a task a release or recall has just cancelled stays cancelled."""
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case__person", "case__organisation")
        .get(pk=task.pk)
    )
    if not policy.can_complete_task(actor, task):
        raise PermissionDenied("Only your organisation's staff on this case can complete its tasks")
    if task.completed_at or task.cancelled_at:
        raise ApplicationError("This task is already done or cancelled")
    task.completed_at = timezone.now()
    task.save(update_fields=["completed_at", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.STATE_CHANGE,
        object_type=TASK,
        object_id=task.pk,
        person=task.case.person,
        category=Category.CASE_NOTES,
        changes={"completed_at": [None, task.completed_at.isoformat()]},
        request=request,
    )
    return task


# Custody: called by the custody services, which have checked who may record it -----------------


def cases_pause_for_recall(
    *, actor: Membership, person: Person, on: date, request: HttpRequest | None = None
) -> list[Case]:
    """Pause every open case of the person, in every organisation, and tell each case's worker
    and mentor. The notice says the person was recalled, never why (offence information)."""
    # Gate meetings planned for a release that will not now happen, on every live case (a
    # paused one too): none is left "To do" for a day that has passed them by.
    cancelled = list(
        Task.objects.select_for_update()
        .filter(
            case__person=person,
            kind=TaskKind.GATE_MEETING,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .exclude(case__state=CaseState.CLOSED)
    )
    now = timezone.now()
    Task.objects.filter(pk__in=[t.pk for t in cancelled]).update(cancelled_at=now, updated_at=now)
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.STATE_CHANGE,
                object_type=TASK,
                object_id=str(task.pk),
                person_id=person.pk,
                category=Category.CASE_NOTES,
                changes={"cancelled_at": [None, now.isoformat()]},
            )
            for task in cancelled
        ],
    )
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(person=person, state=CaseState.OPEN)
        .select_related("organisation", "worker", "mentor", "person")
    )
    if not cases:
        return []
    for case in cases:
        case.state, case.pause_reason = CaseState.PAUSED, RECALL_PAUSE_REASON
        case.version += 1
        case.save(update_fields=["state", "pause_reason", "version", "updated_at"])
        _event(case, CaseEventKind.PAUSED, on, actor.user, RECALL_PAUSE_REASON)
        notify(
            recipients=[u for u in (case.worker, case.mentor) if u is not None],
            organisation=case.organisation,
            subject="A case has been paused: recalled to custody",
            body=f"{person.full_name} was recalled to custody on {on:%-d %B %Y}. Your "
            f"organisation's case is paused, not closed: you can keep in touch while they are "
            "in custody, and it will resume when they are released.",
            link=reverse("cases:detail", args=[case.pk]),
        )
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.STATE_CHANGE,
                object_type=CASE,
                object_id=str(case.pk),
                person_id=person.pk,
                category=Category.CASE_NOTES,
                changes={"state": [CaseState.OPEN, CaseState.PAUSED]},
            )
            for case in cases
        ],
    )
    return cases


def cases_resume_on_release(
    *,
    actor: Membership,
    person: Person,
    on: date,
    at: time | None,
    place: str,
    request: HttpRequest | None = None,
) -> list[Task]:
    """Resume the cases a recall paused, and give every live case a gate-meeting task on the
    release day, assigned to its mentor (else its worker), who is told."""
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(person=person)
        .exclude(state=CaseState.CLOSED)
        .select_related("organisation", "worker", "mentor", "person")
    )
    resumed = [
        c for c in cases if c.state == CaseState.PAUSED and c.pause_reason == RECALL_PAUSE_REASON
    ]
    for case in resumed:
        case.state, case.pause_reason = CaseState.OPEN, ""
        case.version += 1
        case.save(update_fields=["state", "pause_reason", "version", "updated_at"])
        _event(case, CaseEventKind.RESUMED, on, actor.user, "Released from custody")
    tasks = []
    moved: dict[Task, list] = {}
    cancelled: list[Task] = []
    due_at = gate_meeting_at(on, at)
    now = timezone.now()
    for case in cases:
        if case.state != CaseState.OPEN:
            continue  # paused for another reason: its worker decides when to resume
        task, case_moved, case_cancelled = _gate_meeting_on_release(case, due_at, place, now)
        moved |= case_moved
        cancelled += case_cancelled
        if task is None:
            continue
        tasks.append(task)
        if task.assigned_to is not None:
            notify(
                recipients=[task.assigned_to],
                organisation=case.organisation,
                subject="Gate meeting on release",
                body=f"{person.full_name} is released on {on:%-d %B %Y}. Meet them at "
                f"{timezone.localtime(task.due_at):%H:%M}, {task.place}.",
                link=reverse("cases:detail", args=[case.pk]),
            )
    events = [
        EventData(
            action=AuditAction.STATE_CHANGE,
            object_type=CASE,
            object_id=str(case.pk),
            person_id=person.pk,
            category=Category.CASE_NOTES,
            changes={"state": [CaseState.PAUSED, CaseState.OPEN]},
        )
        for case in resumed
    ] + [
        EventData(
            action=AuditAction.CREATE,
            object_type=TASK,
            object_id=str(task.pk),
            person_id=person.pk,
            category=Category.CASE_NOTES,
            changes={"kind": [None, task.kind], "due_at": [None, task.due_at.isoformat()]},
        )
        for task in tasks
        if task not in moved
    ]
    events += [
        EventData(
            action=AuditAction.UPDATE,
            object_type=TASK,
            object_id=str(task.pk),
            person_id=person.pk,
            category=Category.CASE_NOTES,
            changes={"due_at": change},
        )
        for task, change in moved.items()
    ] + [
        EventData(
            action=AuditAction.STATE_CHANGE,
            object_type=TASK,
            object_id=str(task.pk),
            person_id=person.pk,
            category=Category.CASE_NOTES,
            changes={"cancelled_at": [None, now.isoformat()]},
        )
        for task in cancelled
    ]
    record_events(actor=actor, events=events, request=request)
    return tasks
