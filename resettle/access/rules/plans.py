"""Plans and goals: an organisation reads the goals of its own cases; partners' are read under
the registry's category of a goal."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import Combinable

from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_read,
    can_view_case_records,
    can_view_person,
    get_or_404,
    people_visible_to,
    people_with_readable,
)
from resettle.access.core import as_is as _as_is
from resettle.access.rules.cases import can_record_contact
from resettle.accounts.models import Role
from resettle.cases.models import Case
from resettle.people.models import Person
from resettle.plans.models import Goal

GOAL = "plans.Goal"


def goals_for_person(actor: Actor, person: Person) -> QuerySet[Goal]:
    staff = acting_staff(actor)
    if staff is None or not can_view_person(actor, person):
        return Goal.objects.none()
    visible = Q(case__organisation_id=staff.organisation_id)
    if staff.role == Role.PEER_MENTOR:
        visible &= Q(case__mentor_id=staff.user_id) | Q(case__worker_id=staff.user_id)
    if can_read(actor, person, GOAL):
        visible |= ~Q(case__organisation_id=staff.organisation_id)
    return Goal.objects.filter(visible, person=person)


def goals_visible_to(actor: Actor) -> QuerySet[Goal]:
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Goal.objects.none()
    # Q & Exists is a Q; django-stubs types it Combinable.
    own: Q | Combinable = Q(case__organisation_id=staff.organisation_id) & about(
        people_visible_to(actor)
    )
    if staff.role == Role.PEER_MENTOR:
        own &= Q(case__mentor_id=staff.user_id) | Q(case__worker_id=staff.user_id)
    shared = ~Q(case__organisation_id=staff.organisation_id) & about(
        people_with_readable(actor, GOAL)
    )
    return Goal.objects.filter(own | shared)


def can_edit_goals(actor: Actor, case: Case) -> bool:
    """The case's organisation, a peer mentor on the cases they mentor: the plan is made with
    the person, often by their mentor."""
    return can_record_contact(actor, case)


def get_goal_for_actor(
    actor: Actor, goal_id: Any, *, shaped: Callable[[QuerySet[Goal]], QuerySet[Goal]] = _as_is
) -> Goal:
    """The goal (read as `shaped` makes it), or the same 404 whether it does not exist or is not
    the actor's to see."""
    goal = get_or_404(Goal.objects.select_related("person"), goal_id, "goal")
    visible = shaped(goals_for_person(actor, goal.person)).select_related("person")
    return get_or_404(visible, goal.pk, "goal")
