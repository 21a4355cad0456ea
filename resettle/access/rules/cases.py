"""Cases: whose the actor sees, and who opens and manages them."""

from django.db.models import Q, QuerySet
from django.http import Http404

from resettle.access.categories import Category
from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_view_case_records,
    can_view_category,
    can_view_person,
    get_or_404,
    people_visible_to,
    people_with_category,
)
from resettle.accounts.models import Membership, Role
from resettle.cases.models import Case, Task
from resettle.people.models import Person

# Cases, contacts and goals ----------------------------------------------------------------------
#
# An organisation's own cases, contacts and goals about people it may see are its own records.
# Another organisation's are case notes (cases, contacts) or outcomes (goals), shared only under
# the agreements and consent. A sensitive contact note stays within the organisation that wrote
# it (a peer mentor reads only their own), unless a safeguarding lead breaks glass.

CASE_MANAGER_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER, Role.DELIVERY_COORDINATOR})


def _own_case_records(staff: Membership, prefix: str = "") -> Q:
    own = Q(**{f"{prefix}organisation_id": staff.organisation_id})
    if staff.role == Role.PEER_MENTOR:
        own &= Q(**{f"{prefix}mentor_id": staff.user_id}) | Q(
            **{f"{prefix}worker_id": staff.user_id}
        )
    return own


def _visible_cases(actor: Actor, prefix: str = "") -> Q | None:
    """The cases the actor sees, as a condition on a case (`prefix` reaches it from a record
    that belongs to one, so the database checks each row's case instead of listing them all)."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return None
    person = f"{prefix}person_id"
    own = _own_case_records(staff, prefix) & about(people_visible_to(actor), person)
    shared = ~Q(**{f"{prefix}organisation_id": staff.organisation_id}) & about(
        people_with_category(actor, Category.CASE_NOTES), person
    )
    return own | shared


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    visible = _visible_cases(actor)
    return Case.objects.none() if visible is None else Case.objects.filter(visible)


def cases_for_person(actor: Actor, person: Person) -> QuerySet[Case]:
    """One person's cases for their page: includes what an open break-glass opens."""
    staff = acting_staff(actor)
    if staff is None or not can_view_person(actor, person):
        return Case.objects.none()
    visible = _own_case_records(staff)
    if can_view_category(actor, person, Category.CASE_NOTES):
        visible |= ~Q(organisation_id=staff.organisation_id)
    return Case.objects.filter(visible, person=person)


def get_case_for_actor(actor: Actor, case_id) -> Case:
    case = get_or_404(Case.objects.select_related("person", "organisation"), case_id, "case")
    if not cases_for_person(actor, case.person).filter(pk=case.pk).exists():
        raise Http404("No such case")
    return case


def can_open_case(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in CASE_MANAGER_ROLES and can_view_person(actor, person)


def can_manage_case(actor: Actor, case: Case) -> bool:
    """Change state, allocate, review: the case's organisation, not peer mentors."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in CASE_MANAGER_ROLES
        and staff.organisation_id == case.organisation_id
        and can_view_person(actor, case.person)
    )


def can_record_contact(actor: Actor, case: Case) -> bool:
    """The case's organisation; a peer mentor on the cases they mentor."""
    staff = acting_staff(actor)
    if not (staff is not None and staff.organisation_id == case.organisation_id):
        return False
    if staff.role == Role.PEER_MENTOR:
        return case.mentor_id == staff.user_id and can_view_person(actor, case.person)
    return staff.role in CASE_MANAGER_ROLES and can_view_person(actor, case.person)


# Tasks ------------------------------------------------------------------------------------------
#
# A task belongs to its case: whoever sees the case sees its tasks (another organisation's are
# case notes), and whoever records contacts on the case (its staff, a mentor on a mentee's case)
# completes them.


def tasks_visible_to(actor: Actor) -> QuerySet[Task]:
    visible = _visible_cases(actor, prefix="case__")
    return Task.objects.none() if visible is None else Task.objects.filter(visible)


def get_task_for_actor(actor: Actor, task_id) -> Task:
    """The task, or the same 404 whether it does not exist or its case is not the actor's to
    see (an open break-glass counts, as on the case's page)."""
    task = get_or_404(
        Task.objects.select_related("case__person", "case__organisation"), task_id, "task"
    )
    if not cases_for_person(actor, task.case.person).filter(pk=task.case_id).exists():
        raise Http404("No such task")
    return task


def can_complete_task(actor: Actor, task: Task) -> bool:
    return can_record_contact(actor, task.case)
