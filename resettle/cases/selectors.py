"""Reads of cases, already filtered by the access policy. Another organisation's case is case
notes: reading one is recorded in the audit trail."""

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.services import record_read
from resettle.cases.models import Case, CaseEvent, CaseState, Task
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
