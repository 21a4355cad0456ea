"""Every write to action plans: goals, their steps, dated progress updates, and plan reviews.
A goal's status changes only through an update, so its history is never overwritten."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.cases.models import Case, CaseState
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.plans.models import Goal, GoalStatus, GoalStep, GoalUpdate, PlanReview, StepOwner

NOT_YOURS = (
    "Only the organisation that holds the case (or the mentor of the person) can change this plan."
)
CASE_CLOSED = "This case is closed. Reopen it before changing the plan."
GOAL_FIELDS = frozenset({"pathway", "title", "in_own_words", "barriers", "due_on"})
STEP_FIELDS = frozenset({"text", "owner_kind", "owner_name", "owner_organisation", "due_on"})


def _check(actor: Membership, case: Case) -> None:
    if not policy.can_edit_goals(actor, case):
        raise PermissionDenied(NOT_YOURS)
    if case.state == CaseState.CLOSED:
        raise ApplicationError(CASE_CLOSED)


def _unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _audit(actor, request, action, kind, obj_id, person_id, changes) -> None:
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=action,
                object_type=kind,
                object_id=str(obj_id),
                person_id=person_id,
                category=Category.OUTCOMES,
                changes=changes,
            )
        ],
    )


@transaction.atomic
def goal_create(
    *, actor: Membership, case: Case, data: dict[str, Any], request: HttpRequest | None = None
) -> Goal:
    _check(actor, case)
    _unknown(data, GOAL_FIELDS)
    goal = Goal(person_id=case.person_id, case=case, created_by=actor.user, **data)
    goal.full_clean()
    goal.save()
    values = {name: getattr(goal, name) for name in ("pathway", "title", "status", "due_on")}
    _audit(actor, request, AuditAction.CREATE, "goal", goal.pk, goal.person_id, diff({}, values))
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: Membership,
    goal: Goal,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Goal:
    """Change a goal's words, barriers or due date (the status changes by `goal_progress`)."""
    _check(actor, goal.case)
    _unknown(data, GOAL_FIELDS)
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    old = {name: getattr(goal, name) for name in data}
    for name, value in data.items():
        setattr(goal, name, value)
    goal.full_clean()
    changes = diff(old, data)
    if changes:
        goal.version += 1
        goal.save()
        _audit(actor, request, AuditAction.UPDATE, "goal", goal.pk, goal.person_id, changes)
    return goal


@transaction.atomic
def goal_progress(
    *,
    actor: Membership,
    goal: Goal,
    on: date,
    status: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> GoalUpdate:
    """Record progress on a goal: a dated note, a new status, or both. Adds a row; never edits."""
    _check(actor, goal.case)
    goal = Goal.objects.select_for_update(of=("self",)).select_related("case").get(pk=goal.pk)
    errors: dict[str, list[str]] = {}
    if status and status not in GoalStatus.values:
        errors["status"] = ["Select a status from the list"]
    if status == goal.status:
        status = ""
    if not status and not note.strip():
        errors.setdefault("note", []).append("Enter what has happened, or change the status")
    if on > date.today():
        errors["on"] = ["The date of the update must be today or in the past"]
    elif on < goal.case.opened_on:
        errors["on"] = [
            "The date of the update must be on or after the case opened, "
            f"{goal.case.opened_on:%-d %B %Y}"
        ]
    update = GoalUpdate(
        goal=goal,
        on=on,
        by=actor.user,
        status_from=goal.status if status else "",
        status_to=status,
        note=note.strip(),
    )
    try:
        update.full_clean(exclude=["status_from"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    update.save()
    if status:
        old = goal.status
        goal.status = status
        goal.version += 1
        goal.save(update_fields=["status", "version", "updated_at"])
        _audit(
            actor,
            request,
            AuditAction.STATE_CHANGE,
            "goal",
            goal.pk,
            goal.person_id,
            {"status": [old, status]},
        )
    return update


@transaction.atomic
def goal_step_add(
    *, actor: Membership, goal: Goal, data: dict[str, Any], request: HttpRequest | None = None
) -> GoalStep:
    _check(actor, goal.case)
    _unknown(data, STEP_FIELDS)
    step = GoalStep(goal=goal, created_by=actor.user, **data)
    errors: dict[str, list[str]] = {}
    try:
        step.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    if step.owner_kind == StepOwner.PARTNER and not (step.owner_organisation or step.owner_name):
        errors.setdefault("owner_name", []).append("Enter the partner organisation")
    if step.owner_organisation is not None and step.owner_organisation not in set(
        policy.organisations_visible_to(actor)
    ):
        errors.setdefault("owner_organisation", []).append("Select a partner organisation")
    if errors:
        raise ValidationError(errors)
    step.save()
    _audit(
        actor,
        request,
        AuditAction.CREATE,
        "goal_step",
        step.pk,
        goal.person_id,
        diff({}, {"text": step.text, "owner_kind": step.owner_kind, "due_on": step.due_on}),
    )
    return step


@transaction.atomic
def goal_step_done(
    *, actor: Membership, step: GoalStep, on: date, request: HttpRequest | None = None
) -> GoalStep:
    _check(actor, step.goal.case)
    step = GoalStep.objects.select_for_update().get(pk=step.pk)
    if step.done_on is not None:
        raise ApplicationError("This step is already done")
    if on > date.today():
        raise ValidationError({"on": "The date must be today or in the past"})
    step.done_on = on
    step.save(update_fields=["done_on", "updated_at"])
    _audit(
        actor,
        request,
        AuditAction.STATE_CHANGE,
        "goal_step",
        step.pk,
        step.goal.person_id,
        {"done_on": [None, on.isoformat()]},
    )
    return step


@transaction.atomic
def plan_review_record(
    *, actor: Membership, case: Case, data: dict[str, Any], request: HttpRequest | None = None
) -> PlanReview:
    _check(actor, case)
    _unknown(data, frozenset({"reviewed_on", "summary", "next_review_on"}))
    review = PlanReview(person_id=case.person_id, case=case, by=actor.user, **data)
    errors: dict[str, list[str]] = {}
    try:
        review.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    if review.reviewed_on and review.reviewed_on > date.today():
        errors.setdefault("reviewed_on", []).append("The review date must be today or in the past")
    if review.reviewed_on and review.reviewed_on < case.opened_on:
        errors.setdefault("reviewed_on", []).append(
            f"The review date must be on or after the case opened, {case.opened_on:%-d %B %Y}"
        )
    if review.next_review_on and review.reviewed_on and review.next_review_on <= review.reviewed_on:
        errors.setdefault("next_review_on", []).append("The next review must be after this review")
    if errors:
        raise ValidationError(errors)
    review.save()
    _audit(
        actor,
        request,
        AuditAction.CREATE,
        "plan_review",
        review.pk,
        case.person_id,
        diff({}, {"reviewed_on": review.reviewed_on, "next_review_on": review.next_review_on}),
    )
    return review


def editable_cases(actor: Membership | None, person) -> list[Case]:
    """The person's live cases whose plan the actor may change."""
    cases = policy.cases_for_person(actor, person).exclude(state=CaseState.CLOSED)
    return [c for c in cases.select_related("organisation") if policy.can_edit_goals(actor, c)]
