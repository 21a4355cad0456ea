"""Custody periods, licence conditions, recalls and the release checklist: rules on the core."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_read,
    get_or_404,
    people_with_readable,
)
from resettle.access.rules.cases import CASE_MANAGER_ROLES
from resettle.access.rules.suitability import SUITABILITY_ASSESSOR_KINDS
from resettle.accounts.models import Role
from resettle.cases.models import Case, CaseState
from resettle.custody.models import CustodyPeriod
from resettle.people.models import Person

# Custody periods --------------------------------------------------------------------------------
#
# Each part of a period is read under its category in the registry: dates, establishment and
# releases are custody; licence conditions, which a partner needs to arrange support safely, go
# with risk & suitability; the reason for a recall is offence information.

PERIOD = "custody.CustodyPeriod"

CUSTODY_RECORDER_ROLES = frozenset({Role.REFERRER, Role.CASEWORKER})
CUSTODY_RECORDER_KINDS = SUITABILITY_ASSESSOR_KINDS


def can_view_custody(actor: Actor, person: Person) -> bool:
    return can_read(actor, person, PERIOD)


def can_view_licence_conditions(actor: Actor, person: Person) -> bool:
    """Shown on a custody period, so only with the period itself."""
    return can_read(actor, person, PERIOD, "licence_conditions") and can_view_custody(actor, person)


def can_view_recall_reason(actor: Actor, person: Person) -> bool:
    return can_read(actor, person, PERIOD, "recall_reason")


def can_record_custody(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in CUSTODY_RECORDER_ROLES
        and staff.organisation.kind in CUSTODY_RECORDER_KINDS
        and can_view_custody(actor, person)
    )


def custody_periods_visible_to(actor: Actor) -> QuerySet[CustodyPeriod]:
    """For lists and worklists (break-glass opens one person's page, not lists)."""
    return CustodyPeriod.objects.filter(about(people_with_readable(actor, PERIOD)))


# Release planning (custody and cases) -----------------------------------------------------------
#
# The pre-release checklist is part of custody: those who record custody keep it, and so do the
# staff of an organisation with a live case for the person (a peer mentor on the cases they
# mentor), so long as they see the person's custody.


def can_update_release_checklist(actor: Actor, person: Person) -> bool:
    if can_record_custody(actor, person):
        return True
    if not can_view_custody(actor, person):
        return False
    return live_cases_for_checklist(actor).filter(person=person).exists()


def get_period_for_actor(actor: Actor, period_id: Any) -> CustodyPeriod:
    """The period, or the same 404 whether it does not exist or its person's custody is not the
    actor's to see."""
    period = get_or_404(CustodyPeriod.objects.select_related("person"), period_id, "custody period")
    if not can_view_custody(actor, period.person):
        raise Http404("No such custody period")
    return period


def live_cases_for_checklist(actor: Actor) -> QuerySet[Case]:
    """The actor's organisation's live cases that let its staff keep a person's release
    checklist: any of them for those who manage cases, a peer mentor's only those they mentor.
    The release worklist lists the same cases."""
    staff = acting_staff(actor)
    if staff is None:
        return Case.objects.none()
    cases = Case.objects.filter(organisation_id=staff.organisation_id).exclude(
        state=CaseState.CLOSED
    )
    if staff.role == Role.PEER_MENTOR:
        return cases.filter(mentor_id=staff.user_id)
    if staff.role not in CASE_MANAGER_ROLES:
        return Case.objects.none()
    return cases
