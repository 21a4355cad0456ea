"""Evaluation: criminal-justice outcome events, Justice Data Lab cohorts, evaluations for an
external evaluator and the export jobs that build their files. Rules on the core.

Outcome events are offence information: read exactly as the offence category is (probation and
the prison, under an agreement, or an audited break-glass), recorded by probation and prison
staff. A recall is read from the custody record, so it also needs the custody category.

Cohorts, evaluations and exports are an organisation's evaluation work, for its analysts and
partnership managers: they read who the organisation has supported (names, dates of birth,
identifiers for the Justice Data Lab file) and nothing of anyone else's, and a file leaves only
under an agreement in force that permits it."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_read,
    get_or_404,
    people_with_readable,
)
from resettle.access.rules.custody import CUSTODY_RECORDER_ROLES, PERIOD, can_view_custody
from resettle.accounts.models import OrganisationKind, Role
from resettle.custody.models import CustodyEvent, CustodyEventKind
from resettle.evaluation.models import Cohort, Evaluation, ExportJob, OutcomeEvent
from resettle.partnerships.models import PermittedExport, SharingAgreement
from resettle.people.models import Person, WorkingRelationship

OUTCOME_EVENT = "evaluation.OutcomeEvent"

# Further offences, arrests and convictions are known to probation and the prison.
OUTCOME_RECORDER_KINDS = frozenset({OrganisationKind.PROBATION, OrganisationKind.PRISON})
OUTCOME_RECORDER_ROLES = CUSTODY_RECORDER_ROLES

# The roles that evaluate an organisation's work rather than do it (DESIGN §2).
EVALUATION_ROLES = frozenset({Role.ANALYST, Role.PARTNERSHIP_MANAGER})


# Outcome events ---------------------------------------------------------------------------------


def can_view_outcome_events(actor: Actor, person: Person) -> bool:
    return can_read(actor, person, OUTCOME_EVENT)


def can_view_recalls_as_outcomes(actor: Actor, person: Person) -> bool:
    """A recall is a custody event: shown among outcomes only with both categories."""
    return can_view_outcome_events(actor, person) and can_view_custody(actor, person)


def can_record_outcome_event(actor: Actor, person: Person) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in OUTCOME_RECORDER_ROLES
        and staff.organisation.kind in OUTCOME_RECORDER_KINDS
        and can_view_outcome_events(actor, person)
    )


def outcome_events_for_person(actor: Actor, person: Person) -> QuerySet[OutcomeEvent]:
    """One person's recorded events for their page: what an open break-glass opens included."""
    if not can_view_outcome_events(actor, person):
        return OutcomeEvent.objects.none()
    return OutcomeEvent.objects.filter(person=person)


def recalls_for_person(actor: Actor, person: Person) -> QuerySet[CustodyEvent]:
    if not can_view_recalls_as_outcomes(actor, person):
        return CustodyEvent.objects.none()
    return CustodyEvent.objects.filter(period__person=person, kind=CustodyEventKind.RECALLED)


def outcome_events_visible_to(actor: Actor) -> QuerySet[OutcomeEvent]:
    """For lists across people (break-glass opens one person's page, not lists)."""
    return OutcomeEvent.objects.filter(about(people_with_readable(actor, OUTCOME_EVENT)))


def recalls_visible_to(actor: Actor) -> QuerySet[CustodyEvent]:
    return CustodyEvent.objects.filter(
        about(people_with_readable(actor, OUTCOME_EVENT), "period__person_id"),
        about(people_with_readable(actor, PERIOD), "period__person_id"),
        kind=CustodyEventKind.RECALLED,
    )


def get_outcome_event_for_actor(actor: Actor, event_id: Any) -> OutcomeEvent:
    """The event, or the same 404 whether it does not exist or is not the actor's to see."""
    event = get_or_404(
        OutcomeEvent.objects.select_related("person", "organisation", "recorded_by"),
        event_id,
        "outcome event",
    )
    if not can_view_outcome_events(actor, event.person):
        raise Http404("No such outcome event")
    return event


def get_recall_for_actor(actor: Actor, event_id: Any) -> CustodyEvent:
    """A recall read as an outcome, or the same 404."""
    event = get_or_404(
        CustodyEvent.objects.filter(kind=CustodyEventKind.RECALLED).select_related(
            "period__person"
        ),
        event_id,
        "outcome event",
    )
    if not can_view_recalls_as_outcomes(actor, event.period.person):
        raise Http404("No such outcome event")
    return event


# Cohorts, evaluations and exports ---------------------------------------------------------------


def can_evaluate(actor: Actor) -> bool:
    """Build cohorts and evaluations, and ask for their files."""
    staff = acting_staff(actor)
    return staff is not None and staff.role in EVALUATION_ROLES


def cohorts_visible_to(actor: Actor) -> QuerySet[Cohort]:
    staff = acting_staff(actor)
    if staff is None or not can_evaluate(actor):
        return Cohort.objects.none()
    return Cohort.objects.filter(organisation_id=staff.organisation_id)


def get_cohort_for_actor(actor: Actor, cohort_id: Any) -> Cohort:
    return get_or_404(cohorts_visible_to(actor), cohort_id, "cohort")


def evaluations_visible_to(actor: Actor) -> QuerySet[Evaluation]:
    staff = acting_staff(actor)
    if staff is None or not can_evaluate(actor):
        return Evaluation.objects.none()
    return Evaluation.objects.filter(organisation_id=staff.organisation_id)


def get_evaluation_for_actor(actor: Actor, evaluation_id: Any) -> Evaluation:
    return get_or_404(
        evaluations_visible_to(actor).select_related("cohort"), evaluation_id, "evaluation"
    )


def exports_visible_to(actor: Actor) -> QuerySet[ExportJob]:
    """A file is downloaded by the person who asked for it, while they still evaluate for the
    organisation it was made for."""
    staff = acting_staff(actor)
    if staff is None or not can_evaluate(actor):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(
        organisation_id=staff.organisation_id, requested_by_id=staff.user_id
    )


def get_export_for_actor(actor: Actor, export_id: Any) -> ExportJob:
    return get_or_404(exports_visible_to(actor), export_id, "export")


def people_served_by_organisation(actor: Actor) -> QuerySet[Person]:
    """Everyone the evaluating actor's organisation has worked with, ever: the people its
    cohorts may hold. Nobody for anyone else."""
    staff = acting_staff(actor)
    if staff is None or not can_evaluate(actor):
        return Person.objects.none()
    worked_with = WorkingRelationship.objects.filter(
        organisation_id=staff.organisation_id, person_id=OuterRef("pk")
    )
    return Person.objects.filter(Exists(worked_with))


def agreement_permitting(
    actor: Actor, export: str, *, evaluator: str = "", on: date | None = None
) -> SharingAgreement | None:
    """An agreement in force, in one of the actor's organisation's partnerships and applying to
    it (it owns or receives under it), that permits `export`; for an evaluator extract, one that
    names `evaluator`. None when there is no such agreement."""
    staff = acting_staff(actor)
    if staff is None or not can_evaluate(actor):
        return None
    on = on or date.today()
    organisation = staff.organisation
    candidates = (
        SharingAgreement.objects.filter(
            Q(starts_on__lte=on),
            Q(ends_on__isnull=True) | Q(ends_on__gt=on),
            partnership__organisations=organisation,
        )
        .prefetch_related("recipient_organisations")
        .distinct()
        .order_by("-starts_on", "title")
    )
    for agreement in candidates:
        applies = (
            agreement.owner_id == organisation.pk
            or organisation.kind in agreement.recipient_kinds
            or any(o.pk == organisation.pk for o in agreement.recipient_organisations.all())
        )
        if not applies or export not in agreement.permitted_exports:
            continue
        if export == PermittedExport.EVALUATOR_EXTRACT and (
            agreement.evaluator.strip().casefold() != evaluator.strip().casefold()
        ):
            continue
        return agreement
    return None
