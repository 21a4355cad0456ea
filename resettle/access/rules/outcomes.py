"""Outcomes: assessments (answers to outcome instruments), end-of-support outcomes, the outcome
schedule and a service's outcome summary.

Answers are personal data in the outcomes category. An organisation reads the assessments it
recorded about people it may see, as it reads its own goals (a peer mentor: those they recorded
or that are on the cases they mentor); another organisation's are read only where the actor may
see the person's outcomes category. A closed case still takes a follow-up from its own
organisation, without being reopened, while the organisation may see the person."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import Combinable
from django.http import Http404

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
from resettle.access.rules.cases import CASE_MANAGER_ROLES, can_manage_case, can_record_contact
from resettle.accounts.models import Membership, Organisation, Role
from resettle.cases.models import Case, CaseState
from resettle.outcomes.models import Assessment, EndOfSupport
from resettle.people.models import Person

ASSESSMENT = "outcomes.Assessment"
END_OF_SUPPORT = "outcomes.EndOfSupport"
# Who reads a service's outcome summary (counts and averages, no one named): those who manage
# the work and those who report on it.
OUTCOME_SUMMARY_ROLES = CASE_MANAGER_ROLES | {Role.PARTNERSHIP_MANAGER, Role.ANALYST}


def _own_assessments(staff: Membership) -> Q:
    own = Q(organisation_id=staff.organisation_id)
    if staff.role == Role.PEER_MENTOR:
        own &= Q(recorded_by_id=staff.user_id) | Q(case__mentor_id=staff.user_id)
    return own


def assessments_for_person(actor: Actor, person: Person) -> QuerySet[Assessment]:
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor) or not can_view_person(actor, person):
        return Assessment.objects.none()
    visible = _own_assessments(staff)
    if can_read(actor, person, ASSESSMENT):
        visible |= ~Q(organisation_id=staff.organisation_id)
    return Assessment.objects.filter(visible, person=person)


def assessments_visible_to(actor: Actor) -> QuerySet[Assessment]:
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return Assessment.objects.none()
    # Q & Exists is a Q; django-stubs types it Combinable.
    own: Q | Combinable = _own_assessments(staff) & about(people_visible_to(actor))
    shared = ~Q(organisation_id=staff.organisation_id) & about(
        people_with_readable(actor, ASSESSMENT)
    )
    return Assessment.objects.filter(own | shared)


def get_outcome_assessment_for_actor(
    actor: Actor,
    assessment_id: Any,
    *,
    shaped: Callable[[QuerySet[Assessment]], QuerySet[Assessment]] = _as_is,
) -> Assessment:
    """The assessment, or the same 404 whether it does not exist or is not the actor's to see."""
    assessment = get_or_404(
        Assessment.objects.select_related("person"), assessment_id, "assessment"
    )
    visible = shaped(assessments_for_person(actor, assessment.person)).select_related("person")
    return get_or_404(visible, assessment.pk, "assessment")


def can_record_assessment(actor: Actor, person: Person, case: Case | None = None) -> bool:
    """On a case: whoever records contacts on it (its organisation; a peer mentor on the cases
    they mentor), closed cases included, for follow-ups. Without a case: a caseworker, referrer
    or coordinator working with the person."""
    staff = acting_staff(actor)
    if staff is None or not can_view_person(actor, person):
        return False
    if case is None:
        return staff.role in CASE_MANAGER_ROLES
    return case.person_id == person.pk and can_record_contact(actor, case)


def can_record_end_of_support(actor: Actor, case: Case) -> bool:
    """Those who close a case rate its goals once it is closed."""
    return case.state == CaseState.CLOSED and can_manage_case(actor, case)


def can_view_end_of_support(actor: Actor, end: EndOfSupport) -> bool:
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor) or not can_view_person(actor, end.person):
        return False
    if end.case.organisation_id == staff.organisation_id:
        return staff.role != Role.PEER_MENTOR or end.case.mentor_id == staff.user_id
    return can_read(actor, end.person, END_OF_SUPPORT)


def get_end_of_support_for_actor(actor: Actor, case: Case) -> EndOfSupport:
    """The case's end-of-support outcomes, or the same 404 whether none are recorded or they
    are not the actor's to see."""
    end = (
        EndOfSupport.objects.select_related("case", "person", "recorded_by")
        .filter(case=case)
        .first()
    )
    if end is None or not can_view_end_of_support(actor, end):
        raise Http404("No such end-of-support record")
    return end


def can_view_outcome_summary(actor: Actor, organisation: Organisation) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.organisation_id == organisation.pk
        and staff.role in OUTCOME_SUMMARY_ROLES
    )


def can_change_outcome_schedule(actor: Actor, organisation: Organisation) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.organisation_id == organisation.pk
        and staff.role in {Role.PARTNERSHIP_MANAGER, Role.ORGANISATION_ADMIN, Role.CASEWORKER}
    )
