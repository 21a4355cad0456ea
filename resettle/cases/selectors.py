"""Reads of cases, already filtered by the access policy. Another organisation's case is case
notes: reading one is recorded in the audit trail."""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.services import record_read, record_reads
from resettle.cases.models import Case, CaseEvent, CaseState, Task, TaskState
from resettle.people.models import Person


def person_cases(
    *, actor: Membership | None, person: Person, request: HttpRequest | None = None
) -> list[Case]:
    """The person's cases the actor may see: live ones first, then the newest."""
    cases = list(
        policy.cases_for_person(actor, person)
        .select_related("organisation", "worker", "mentor")
        .order_by("state", "-opened_on")
    )
    cases.sort(key=lambda c: (c.state == CaseState.CLOSED, -c.opened_on.toordinal()))
    if any(actor is None or c.organisation_id != actor.organisation_id for c in cases):
        record_read(actor=actor, person=person, categories=[Category.CASE_NOTES], request=request)
    return cases


def case_list(*, actor: Membership | None, state: str = "", person=None) -> QuerySet[Case]:
    """Cases across people, for the API: own organisation's, and partners' where case notes are
    shared."""
    cases = policy.cases_visible_to(actor).select_related("organisation")
    if state:
        cases = cases.filter(state=state)
    if person is not None:
        cases = cases.filter(person_id=person)
    return cases.order_by("-opened_on", "pk")


def case_with_history(case_id) -> Case:
    """The case with its events and tasks loaded; callers have checked the policy."""
    return (
        Case.objects.select_related("person", "organisation", "worker", "mentor")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("by")),
            Prefetch(
                "tasks", queryset=Task.objects.select_related("assigned_to").order_by("-due_at")
            ),
        )
        .get(pk=case_id)
    )


def record_case_read(
    *, actor: Membership | None, case: Case, request: HttpRequest | None = None
) -> None:
    if actor is None or case.organisation_id != actor.organisation_id:
        record_read(
            actor=actor, person=case.person, categories=[Category.CASE_NOTES], request=request
        )


# Tasks and case events ---------------------------------------------------------------------------

TASK_STATES: dict[str, Q] = {
    TaskState.TO_DO: Q(completed_at__isnull=True, cancelled_at__isnull=True),
    TaskState.DONE: Q(completed_at__isnull=False, cancelled_at__isnull=True),
    TaskState.CANCELLED: Q(cancelled_at__isnull=False),
}


def task_list(
    *,
    actor: Membership | None,
    person: Person | None = None,
    case: Case | None = None,
    state: str = "",
    kind: str = "",
    assigned_to_me: bool = False,
    due_after: datetime | None = None,
    due_before: datetime | None = None,
) -> QuerySet[Task]:
    """Tasks on the cases the actor may see, soonest due first. With `person`, that person's
    (the caller has checked the actor may see them); with `case`, that case's."""
    tasks = policy.tasks_visible_to(actor)
    filters: dict[str, Any] = {}
    if person is not None:
        filters["case__person"] = person
    if case is not None:
        filters["case"] = case
    if kind:
        filters["kind"] = kind
    if assigned_to_me and actor is not None:
        filters["assigned_to_id"] = actor.user_id
    if due_after is not None:
        filters["due_at__gte"] = due_after
    if due_before is not None:
        filters["due_at__lt"] = due_before
    tasks = tasks.filter(**filters)
    if state:
        tasks = tasks.filter(TASK_STATES[state])
    return tasks.select_related("case").order_by("due_at", "pk")


def record_task_reads(
    *, actor: Membership | None, tasks: list[Task], request: HttpRequest | None = None
) -> None:
    """Another organisation's tasks are its case notes: their reads go in the audit trail, in
    one insert however many the page shows."""
    record_reads(
        actor=actor,
        reads=[
            (task.case.person_id, Category.CASE_NOTES)
            for task in tasks
            if actor is None or task.case.organisation_id != actor.organisation_id
        ],
        request=request,
    )


def case_events(case: Case) -> QuerySet[CaseEvent]:
    """The case's history, oldest first, as the case page shows it; callers have checked the
    policy and recorded the read (`record_case_read`)."""
    return (
        CaseEvent.objects.filter(case=case).select_related("by").order_by("on", "created_at", "pk")
    )
