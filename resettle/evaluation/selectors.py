"""Every read the evaluation pages, API and export jobs show, filtered by the access policy."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.http import HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.core import Actor, about
from resettle.audit.services import record_reads
from resettle.cases.models import Case, CaseState
from resettle.contacts.models import Contact, ContactOutcome
from resettle.custody.models import CustodyEvent, RecallReason
from resettle.evaluation.cohorts import CohortSummary, CustodyStep, Member, index_date
from resettle.evaluation.models import (
    RECALL,
    Cohort,
    OffenceCategory,
    OutcomeEvent,
    OutcomeEventKind,
    OutcomeSource,
)
from resettle.outcomes.models import Assessment
from resettle.people.models import Address, Identifier, Person
from resettle.referrals.models import Referral, ReferralState
from resettle.registers.models import PRESENT, Attendance

# A referral accepted in these states means the person received the service.
SERVED_STATES = (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.COMPLETED)
# What a recall is recorded from, in lists of outcomes.
CUSTODY_RECORD = "custody_record"


# Outcome events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    """A recorded outcome event or a recall read from the custody record, as lists show both."""

    id: UUID
    person_id: UUID
    kind: str
    kind_label: str
    occurred_on: date
    offence_category: str
    offence_category_label: str
    source: str
    source_label: str
    note: str
    recorded: bool  # recorded here, rather than read from the custody record


def _row(values: dict[str, Any]) -> OutcomeRow:
    kind, category, source = values["e_kind"], values["e_category"], values["e_source"]
    recall = kind == RECALL
    return OutcomeRow(
        id=values["e_id"],
        person_id=values["e_person"],
        kind=kind,
        kind_label="Recall to custody" if recall else OutcomeEventKind(kind).label,
        occurred_on=values["e_date"],
        offence_category=category,
        offence_category_label=(
            RecallReason(category).label
            if recall and category in RecallReason.values
            else OffenceCategory(category).label
            if category in OffenceCategory.values
            else ""
        ),
        source=source,
        source_label="Custody record" if recall else OutcomeSource(source).label,
        note=values["e_note"],
        recorded=not recall,
    )


def _recorded_values(events: QuerySet[OutcomeEvent]) -> QuerySet:
    return events.order_by().values(
        e_id=F("id"),
        e_person=F("person_id"),
        e_kind=F("kind"),
        e_date=F("occurred_on"),
        e_category=F("offence_category"),
        e_source=F("source"),
        e_note=F("note"),
        e_created=F("created_at"),
    )


def _recall_values(recalls: QuerySet[CustodyEvent]) -> QuerySet:
    # A recall's coded reason stands where an event's offence category does.
    return recalls.order_by().values(
        e_id=F("id"),
        e_person=F("period__person_id"),
        e_kind=Value(RECALL, output_field=CharField()),
        e_date=F("on"),
        e_category=F("recall_reason"),
        e_source=Value(CUSTODY_RECORD, output_field=CharField()),
        e_note=Value("", output_field=CharField()),
        e_created=F("created_at"),
    )


def outcome_rows(*, actor: Actor, person: Person | None = None, kind: str = "") -> QuerySet:
    """Recorded events and recalls the actor may see, newest first, as `values()` rows for
    `as_outcome_rows`: one person's (their page, with what a break-glass opens) or everyone's."""
    if person is not None:
        recorded = policy.outcome_events_for_person(actor, person)
        recalls = policy.recalls_for_person(actor, person)
    else:
        recorded = policy.outcome_events_visible_to(actor)
        recalls = policy.recalls_visible_to(actor)
    if kind == RECALL:
        recorded = recorded.none()
    elif kind:
        recalls = recalls.none()
        recorded = recorded.filter(kind=kind)
    return (
        _recorded_values(recorded)
        .union(_recall_values(recalls), all=True)
        .order_by("-e_date", "-e_created", "e_id")
    )


def as_outcome_rows(values: Iterable[dict[str, Any]]) -> list[OutcomeRow]:
    return [_row(v) for v in values]


def outcome_row(*, actor: Actor, event_id: UUID) -> OutcomeRow:
    """One recorded event or recall, or the policy's 404."""
    found = OutcomeEvent.objects.filter(pk=event_id).exists()
    if found:
        event = policy.get_outcome_event_for_actor(actor, event_id)
        return _row(_recorded_values(OutcomeEvent.objects.filter(pk=event.pk)).get())
    recall = policy.get_recall_for_actor(actor, event_id)
    return _row(_recall_values(CustodyEvent.objects.filter(pk=recall.pk)).get())


def audit_outcome_reads(
    *, actor: Actor, rows: Iterable[OutcomeRow], request: HttpRequest | None
) -> None:
    """Offence information read: one event per person shown, in one insert."""
    staff = policy.acting_staff(actor)
    record_reads(
        actor=staff,
        reads=[(row.person_id, Category.OFFENCE) for row in rows],
        request=request,
    )


# Cohorts ----------------------------------------------------------------------------------------


def cohort_list(*, actor: Actor) -> QuerySet[Cohort]:
    return policy.cohorts_visible_to(actor).select_related("created_by")


def _support_starts(actor: Actor, cohort: Cohort) -> dict[UUID, date]:
    """Each person who received a service from the cohort's organisation in its range, and the
    first day of that support in the range."""
    served = policy.people_served_by_organisation(actor)
    starts: dict[UUID, date] = {}
    cases = Case.objects.filter(
        about(served),
        organisation_id=cohort.organisation_id,
        opened_on__gte=cohort.service_from,
        opened_on__lte=cohort.service_to,
    ).values_list("person_id", "opened_on")
    # Accepted on a local day in the range: from its first moment to the next day's.
    zone = timezone.get_current_timezone()
    referrals = Referral.objects.filter(
        about(served),
        service__organisation_id=cohort.organisation_id,
        state__in=SERVED_STATES,
        decided_at__gte=datetime.combine(cohort.service_from, time.min, zone),
        decided_at__lt=datetime.combine(cohort.service_to + timedelta(days=1), time.min, zone),
    ).values_list("person_id", "decided_at")
    for person_id, opened_on in cases:
        starts[person_id] = min(opened_on, starts.get(person_id, opened_on))
    for person_id, decided_at in referrals:
        on = timezone.localdate(decided_at)
        starts[person_id] = min(on, starts.get(person_id, on))
    return starts


def cohort_summary(*, actor: Actor, cohort: Cohort, today: date | None = None) -> CohortSummary:
    """Everyone in the cohort with their index date and what keeps any of them out of the JDL
    file, in a fixed number of queries whatever its size."""
    today = today or timezone.localdate()
    starts = _support_starts(actor, cohort)
    ids = list(starts)
    identifiers: dict[tuple[UUID, str], str] = {}
    for person_id, scheme, value in (
        Identifier.objects.filter(person_id__in=ids, scheme__in=("pnc", "prison_number"))
        .order_by("created_at")
        .values_list("person_id", "scheme", "value")
    ):
        identifiers.setdefault((person_id, scheme), value)
    steps: dict[UUID, list[CustodyStep]] = defaultdict(list)
    for person_id, period_id, kind, on in CustodyEvent.objects.filter(
        period__person_id__in=ids
    ).values_list("period__person_id", "period_id", "kind", "on"):
        steps[person_id].append(CustodyStep(period_id, kind, on))
    members = []
    people = Person.objects.filter(pk__in=ids).values_list(
        "pk", "family_name", "given_name", "date_of_birth", "sex"
    )
    for pk, family_name, given_name, date_of_birth, sex in people.order_by(
        "family_name", "given_name", "pk"
    ):
        start = starts[pk]
        through_the_gate, index = index_date(start, steps[pk], today)
        members.append(
            Member(
                person_id=pk,
                family_name=family_name,
                given_name=given_name,
                date_of_birth=date_of_birth,
                sex=sex,
                support_start=start,
                through_the_gate=through_the_gate,
                index_date=index,
                pnc=identifiers.get((pk, "pnc"), ""),
                prison_number=identifiers.get((pk, "prison_number"), ""),
            )
        )
    return CohortSummary(members=members)


def audit_cohort_reads(
    *, actor: Actor, members: Iterable[Member], request: HttpRequest | None
) -> None:
    """Names shown on the cohort page are identity read."""
    record_reads(
        actor=policy.acting_staff(actor),
        reads=[(m.person_id, Category.IDENTITY) for m in members],
        request=request,
    )


# Evaluator extracts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Engagement:
    attended: int = 0
    missed: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class ExtractSource:
    """What an evaluator extract is built from, for the cohort's people: read once."""

    members: list[Member]
    people: dict[UUID, dict[str, Any]]
    districts: dict[UUID, str]
    support_ends: dict[UUID, date | None]
    engagement: dict[UUID, Engagement]
    referrals: list[dict[str, Any]]
    # Sessions the person was at (attended, late or left early), and outcome measures taken.
    sessions_attended: dict[UUID, int]
    assessments: list[dict[str, Any]]


def extract_source(*, actor: Actor, cohort: Cohort) -> ExtractSource:
    summary = cohort_summary(actor=actor, cohort=cohort)
    ids = [m.person_id for m in summary.members]
    org = cohort.organisation_id
    people: dict[UUID, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in Person.objects.filter(pk__in=ids).values(
            "pk", "date_of_birth", "sex", "ethnicity"
        )
    }
    districts: dict[UUID, str] = {}
    for person_id, postcode in (
        Address.objects.filter(person_id__in=ids, to_date__isnull=True)
        .exclude(postcode="")
        .order_by("person_id", "-from_date")
        .values_list("person_id", "postcode")
    ):
        districts.setdefault(person_id, postcode.split()[0].upper())
    # Support has ended when every case the organisation opened for them is closed.
    closings: dict[UUID, list[date | None]] = defaultdict(list)
    for person_id, state, closed_on in Case.objects.filter(
        person_id__in=ids, organisation_id=org
    ).values_list("person_id", "state", "closed_on"):
        closings[person_id].append(closed_on if state == CaseState.CLOSED else None)
    ends = {
        person_id: None if None in closed else max(d for d in closed if d is not None)
        for person_id, closed in closings.items()
    }
    engagement: dict[UUID, Engagement] = {}
    for row in (
        Contact.objects.filter(person_id__in=ids, organisation_id=org)
        .values("person_id")
        .annotate(
            attended=Count("pk", filter=Q(outcome=ContactOutcome.ATTENDED)),
            missed=Count("pk", filter=Q(outcome=ContactOutcome.DID_NOT_ATTEND)),
            minutes=Sum("duration_minutes", filter=Q(outcome=ContactOutcome.ATTENDED)),
        )
    ):
        engagement[row["person_id"]] = Engagement(
            row["attended"], row["missed"], row["minutes"] or 0
        )
    referrals: list[dict[str, Any]] = [
        dict(row)
        for row in Referral.objects.filter(person_id__in=ids, service__organisation_id=org)
        .exclude(state=ReferralState.DRAFT)
        .order_by("person_id", "submitted_at", "pk")
        .values(
            "person_id",
            "pathway",
            "state",
            "decline_reason",
            "submitted_at",
            "decided_at",
            "ended_at",
        )
    ]
    sessions_attended: dict[UUID, int] = dict(
        Attendance.objects.filter(
            person_id__in=ids, session__service__organisation_id=org, status__in=PRESENT
        )
        .values("person_id")
        .annotate(sessions=Count("pk"))
        .values_list("person_id", "sessions")
    )
    assessments: list[dict[str, Any]] = [
        dict(row)
        for row in Assessment.objects.filter(person_id__in=ids, organisation_id=org)
        .order_by("person_id", "completed_on", "pk")
        .values(
            "person_id",
            "instrument__code",
            "instrument__version",
            "timepoint",
            "completed_on",
            "scores",
            "bands",
        )
    ]
    return ExtractSource(
        sessions_attended=sessions_attended,
        assessments=assessments,
        members=summary.members,
        people=people,
        districts=districts,
        support_ends=ends,
        engagement=engagement,
        referrals=referrals,
    )
