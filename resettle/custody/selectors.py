"""Reads of custody periods, the release-planning worklist and a person's timeline, already
filtered by the access policy. Reads that show custody (and, where allowed, licence conditions
and recall reasons) are recorded in the audit trail."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.audit.services import record_read, record_reads
from resettle.cases.models import Case, CaseEvent, Task, TaskKind
from resettle.custody.models import (
    OUTSTANDING,
    ChecklistItem,
    CustodyEvent,
    CustodyEventKind,
    CustodyPeriod,
)
from resettle.people.models import Person

# Release planning looks this far ahead: mentoring starts up to 12 weeks before release.
PRE_RELEASE_WINDOW = timedelta(weeks=12)


# The categories of a period and of its restricted parts, from the registry.
PERIOD = "custody.CustodyPeriod"
CUSTODY = category_of(PERIOD)
LICENCE_CONDITIONS = category_of(PERIOD, "licence_conditions")
RECALL_REASON = category_of(PERIOD, "recall_reason")


@dataclass
class Shown:
    """Which restricted parts of custody records the actor may see for one person."""

    licence_conditions: bool
    recall_reason: bool

    def categories(self) -> list[str]:
        shown: list[str] = [CUSTODY]
        if self.licence_conditions:
            shown.append(LICENCE_CONDITIONS)
        if self.recall_reason:
            shown.append(RECALL_REASON)
        return shown


def shown_for(actor: Membership | None, person: Person) -> Shown:
    return Shown(
        licence_conditions=policy.can_view_licence_conditions(actor, person),
        recall_reason=policy.can_view_recall_reason(actor, person),
    )


def shown_for_list(actor: Membership | None, person_ids: set) -> dict[Any, Shown]:
    """`shown_for` for a list's people in two queries, by the agreements alone: lists never
    include what a break-glass opens (custody_periods_visible_to)."""

    def having(field: str) -> set:
        people = policy.people_with_readable(actor, PERIOD, field).filter(pk__in=person_ids)
        return set(people.values_list("pk", flat=True))

    # Licence conditions also need custody, which every person in a custody list has.
    licence, recall = having("licence_conditions"), having("recall_reason")
    return {pk: Shown(pk in licence, pk in recall) for pk in person_ids}


def periods_for_person(person: Person) -> list[CustodyPeriod]:
    """Every period of the person, newest first, with its events and checklist. Callers check
    `policy.can_view_custody` first."""
    return list(
        CustodyPeriod.objects.filter(person=person)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("events", queryset=CustodyEvent.objects.select_related("recorded_by")),
            "checklist_items",
        )
        .order_by("-start_date")
    )


def record_custody_read(
    *,
    actor: Membership | None,
    person: Person,
    shown: Shown,
    periods: list[CustodyPeriod],
    request: HttpRequest | None,
) -> None:
    categories = [CUSTODY]
    if shown.licence_conditions and any(p.licence_conditions for p in periods):
        categories.append(LICENCE_CONDITIONS)
    if shown.recall_reason and any(p.recall_reason for p in periods):
        categories.append(RECALL_REASON)
    if periods:
        record_read(actor=actor, person=person, categories=categories, request=request)


def record_custody_list_read(
    *,
    actor: Membership | None,
    periods: list[CustodyPeriod],
    shown: dict[Any, Shown],
    request: HttpRequest | None,
) -> None:
    """record_custody_read for a page of many people's periods, in one insert."""
    reads = []
    for period in periods:
        reads.append((period.person_id, CUSTODY))
        if shown[period.person_id].licence_conditions and period.licence_conditions:
            reads.append((period.person_id, LICENCE_CONDITIONS))
        if shown[period.person_id].recall_reason and period.recall_reason:
            reads.append((period.person_id, RECALL_REASON))
    record_reads(actor=actor, reads=reads, request=request)


def current_period(person: Person) -> CustodyPeriod | None:
    return CustodyPeriod.objects.filter(person=person).order_by("-start_date").first()


# Release planning ------------------------------------------------------------------------------


def release_worklist(
    *,
    actor: Membership | None,
    establishment: str = "",
    due_from: date | None = None,
    due_to: date | None = None,
    pathway: str = "",
    ordering: str = "release",
) -> QuerySet[CustodyPeriod]:
    """People in custody with an expected release in the next 12 weeks (or the dates given,
    within them), who have a live case with the actor's organisation and whose custody the actor
    may see. `pathway` keeps those with something still to arrange on that pathway."""
    if not policy.can_view_case_records(actor):
        return CustodyPeriod.objects.none()
    today = date.today()
    start = max(due_from or today, today)
    end = min(due_to or today + PRE_RELEASE_WINDOW, today + PRE_RELEASE_WINDOW)
    periods = (
        policy.custody_periods_visible_to(actor)
        .filter(expected_release_date__gte=start, expected_release_date__lte=end)
        .filter(Q(released_on__isnull=True) | Q(recalled_on__gt=F("released_on")))
        .filter(
            Exists(policy.live_cases_for_checklist(actor).filter(person_id=OuterRef("person_id")))
        )
    )
    if establishment:
        periods = periods.filter(establishment__iexact=establishment)
    if pathway:
        periods = periods.filter(
            Exists(
                ChecklistItem.objects.filter(
                    period_id=OuterRef("pk"), pathway=pathway, status__in=OUTSTANDING
                )
            )
        )
    order = {
        "release": ["expected_release_date", "person__family_name"],
        "-release": ["-expected_release_date", "person__family_name"],
        "name": ["person__family_name", "person__given_name"],
        "-name": ["-person__family_name", "-person__given_name"],
    }.get(ordering, ["expected_release_date", "person__family_name"])
    return periods.select_related("person").order_by(*order, "pk")


def worklist_establishments(actor: Membership | None) -> dict[str, int]:
    """How many people on the actor's whole worklist are in each establishment: the filter's
    choices, and the worklist's count when no other filter applies (one query for both)."""
    if not policy.can_view_case_records(actor):
        return {}
    counts = (
        release_worklist(actor=actor)
        .order_by()
        .values_list("establishment")
        .annotate(people=Count("pk"))
    )
    return dict(sorted(counts))


@dataclass
class WorklistRow:
    period: CustodyPeriod
    case: Case | None
    outstanding: int
    total: int
    gate_meeting: Task | None


def worklist_rows(actor: Membership, periods: list[CustodyPeriod]) -> list[WorklistRow]:
    """The worklist page's rows: the organisation's case, checklist progress and any gate
    meeting planned, in a fixed number of queries."""
    person_ids = [p.person_id for p in periods]
    cases = {
        c.person_id: c
        for c in policy.live_cases_for_checklist(actor).filter(person_id__in=person_ids)
    }
    items: dict[Any, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(period__in=periods):
        items.setdefault(item.period_id, []).append(item)
    meetings: dict[Any, Task] = {}
    for task in Task.objects.filter(
        case__in=list(cases.values()),
        kind=TaskKind.GATE_MEETING,
        cancelled_at__isnull=True,
        due_at__gte=timezone.make_aware(datetime.combine(date.today(), time(0, 0))),
    ).order_by("due_at"):
        meetings.setdefault(task.case_id, task)
    rows = []
    for period in periods:
        case = cases.get(period.person_id)
        period_items = items.get(period.pk, [])
        rows.append(
            WorklistRow(
                period=period,
                case=case,
                outstanding=sum(1 for i in period_items if i.outstanding),
                total=len(period_items),
                gate_meeting=meetings.get(case.pk) if case else None,
            )
        )
    return rows


# The person's timeline -------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    on: date
    kind: str  # custody, case, contact, appointment, session, referral, goal
    title: str
    by: str = ""
    organisation: str = ""
    lines: list[str] = field(default_factory=list)
    link: str = ""
    sort_key: tuple = ()


def _when(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


TIMELINE_KINDS = {
    "custody": "Custody",
    "case": "Cases",
    "contact": "Contacts",
    "appointment": "Appointments",
    "session": "Sessions",
    "referral": "Referrals",
    "goal": "Goals",
    "offence": "Offence and risk",
}


def person_timeline(
    *,
    actor: Membership | None,
    person: Person,
    kinds: set[str] | None = None,
    request: HttpRequest | None = None,
) -> list[TimelineEntry]:
    """Everything that happened around the person that the actor may see, newest first:
    custody events, case events, contacts, referrals and goals. Each part is read through the
    policy; restricted pieces (licence conditions, a recall's reason, a sensitive note) are left
    out, never shown redacted."""
    kinds = kinds or set(TIMELINE_KINDS)
    entries: list[TimelineEntry] = []
    read: list[str] = []

    if "custody" in kinds and policy.can_view_custody(actor, person):
        shown = shown_for(actor, person)
        events = list(
            CustodyEvent.objects.filter(period__person=person).select_related(
                "period", "recorded_by"
            )
        )
        if events:
            read.append(category_of("custody.CustodyEvent", "period"))
        for event in events:
            lines = []
            if event.kind == CustodyEventKind.STARTED:
                title = f"Into custody: {event.period.get_kind_display().lower()}"
                lines.append(event.establishment)
            elif event.kind == CustodyEventKind.RELEASED:
                title = f"Released: {event.get_release_type_display()}"
                lines.append(f"From {event.establishment}")
                lines.append(
                    "No fixed abode on release"
                    if event.no_fixed_abode
                    else f"Address on release: {event.release_address}"
                )
            elif event.kind == CustodyEventKind.RECALLED:
                title = "Recalled to custody"
                if shown.recall_reason and event.recall_reason:
                    lines.append(f"Reason: {event.get_recall_reason_display()}")
                    read.append(category_of("custody.CustodyEvent", "recall_reason"))
            else:
                title = event.get_kind_display()
            entries.append(
                TimelineEntry(
                    on=event.on,
                    kind="custody",
                    title=title,
                    by=_name(event.recorded_by),
                    lines=[line for line in lines if line],
                    link=reverse("custody:person", args=[person.pk]),
                    sort_key=(event.on, event.created_at),
                )
            )

    visible_cases = policy.cases_for_person(actor, person).select_related("organisation")
    if "case" in kinds:
        case_events = CaseEvent.objects.filter(case__in=visible_cases).select_related(
            "case__organisation", "by"
        )
        for case_event in case_events:
            lines = [case_event.note] if case_event.note else []
            entries.append(
                TimelineEntry(
                    on=case_event.on,
                    kind="case",
                    title=f"Case {case_event.get_kind_display().lower()}",
                    by=_name(case_event.by),
                    organisation=case_event.case.organisation.name,
                    lines=lines,
                    link=reverse("cases:detail", args=[case_event.case_id]),
                    sort_key=(case_event.on, case_event.created_at),
                )
            )
            if case_event.case.organisation_id != getattr(actor, "organisation_id", None):
                read.append(category_of("cases.CaseEvent", "case"))

    if "contact" in kinds:
        contacts = policy.contacts_for_person(actor, person).select_related(
            "organisation", "recorded_by"
        )
        for contact in contacts:
            lines = [contact.get_outcome_display()]
            if contact.duration_minutes:
                lines.append(f"{contact.duration_minutes} minutes")
            entries.append(
                TimelineEntry(
                    on=_when(contact.happened_at),
                    kind="contact",
                    title=f"Contact: {contact.get_kind_display().lower()}",
                    by=_name(contact.recorded_by),
                    organisation=contact.organisation.name,
                    lines=lines,
                    sort_key=(_when(contact.happened_at), contact.created_at),
                )
            )
            if contact.organisation_id != getattr(actor, "organisation_id", None):
                read.append(category_of("contacts.Contact"))

    if "appointment" in kinds:
        # One that has happened is its contact, above; booked and cancelled ones are shown here.
        appointments = (
            policy.appointments_for_person(actor, person)
            .filter(contact__isnull=True)
            .select_related("organisation", "with_user")
        )
        for appointment in appointments:
            lines = [appointment.get_state_display()]
            if appointment.place:
                lines.append(appointment.place)
            entries.append(
                TimelineEntry(
                    on=_when(appointment.starts_at),
                    kind="appointment",
                    title=f"Appointment: {appointment.get_kind_display().lower()} at "
                    f"{timezone.localtime(appointment.starts_at):%H:%M}",
                    by=_name(appointment.with_user),
                    organisation=appointment.organisation.name,
                    lines=lines,
                    link=reverse("appointments:detail", args=[appointment.pk]),
                    sort_key=(_when(appointment.starts_at), appointment.created_at),
                )
            )
            if appointment.organisation_id != getattr(actor, "organisation_id", None):
                read.append(category_of("appointments.Appointment"))

    if "session" in kinds:
        # A mark on a register: an attended session is an attended contact (DESIGN section 5).
        marks = (
            policy.attendance_visible_to(actor)
            .filter(person=person)
            .select_related("session__service__organisation", "recorded_by")
        )
        for mark in marks:
            session = mark.session
            entries.append(
                TimelineEntry(
                    on=_when(session.starts_at),
                    kind="session",
                    title=f"Session: {session.service.name} at "
                    f"{timezone.localtime(session.starts_at):%H:%M}",
                    by=_name(mark.recorded_by),
                    organisation=session.service.organisation.name,
                    lines=[mark.get_status_display()],
                    sort_key=(_when(session.starts_at), mark.created_at),
                )
            )
            if session.service.organisation_id != getattr(actor, "organisation_id", None):
                read.append(category_of("registers.Attendance"))

    if "referral" in kinds:
        referrals = (
            policy.referrals_visible_to(actor)
            .filter(person=person)
            .select_related("service__organisation", "referring_organisation")
        )
        for referral in referrals:
            happened = referral.submitted_at or referral.created_at
            entries.append(
                TimelineEntry(
                    on=_when(happened),
                    kind="referral",
                    title=f"Referral to {referral.service.name}: "
                    f"{referral.get_state_display().lower()}",
                    organisation=referral.referring_organisation.name,
                    lines=[referral.get_pathway_display()],
                    sort_key=(_when(happened), referral.created_at),
                )
            )

    if "goal" in kinds:
        goals = policy.goals_for_person(actor, person).select_related("case__organisation")
        for goal in goals:
            entries.append(
                TimelineEntry(
                    on=_when(goal.created_at),
                    kind="goal",
                    title=f"Goal set: {goal.title}",
                    organisation=goal.case.organisation.name,
                    lines=[goal.get_pathway_display(), goal.get_status_display()],
                    sort_key=(_when(goal.created_at), goal.created_at),
                )
            )
            if goal.case.organisation_id != getattr(actor, "organisation_id", None):
                read.append(category_of("plans.Goal"))

    if "offence" in kinds:
        entries += _offence_entries(actor, person, read)

    if read:
        record_read(actor=actor, person=person, categories=read, request=request)
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries


def _offence_entries(
    actor: Membership | None, person: Person, read: list[str]
) -> list[TimelineEntry]:
    """Sentences, risk assessments and licence conditions starting and ending: only for those who
    may read the person's offence and risk record (probation, the prison, a break-glass)."""
    link = reverse("offending:person", args=[person.pk])
    entries = [
        TimelineEntry(
            on=sentence.sentenced_on,
            kind="offence",
            title=f"Sentenced: {sentence.get_sentence_type_display().lower()}",
            by=_name(sentence.recorded_by),
            organisation=sentence.organisation.name,
            lines=[sentence.get_index_offence_category_display(), sentence.length],
            link=link,
            sort_key=(sentence.sentenced_on, sentence.created_at),
        )
        for sentence in policy.sentences_for_person(actor, person).select_related(
            "organisation", "recorded_by"
        )
    ]
    entries += [
        TimelineEntry(
            on=assessment.assessed_on,
            kind="offence",
            title=f"Risk of serious harm assessed: {assessment.get_rosh_level_display().lower()}",
            by=_name(assessment.recorded_by),
            organisation=assessment.organisation.name,
            lines=[f"MAPPA: {assessment.mappa}"],
            link=link,
            sort_key=(assessment.assessed_on, assessment.created_at),
        )
        for assessment in policy.risk_assessments_for_person(actor, person).select_related(
            "organisation", "recorded_by"
        )
    ]
    for condition in policy.licence_conditions_for_person(actor, person).select_related(
        "organisation", "recorded_by"
    ):
        kind = condition.get_kind_display().lower()
        for on, title in ((condition.starts_on, "starts"), (condition.ends_on, "ends")):
            if on is not None:
                entries.append(
                    TimelineEntry(
                        on=on,
                        kind="offence",
                        title=f"Licence condition {title}: {kind}",
                        by=_name(condition.recorded_by),
                        organisation=condition.organisation.name,
                        lines=[condition.wording],
                        link=link,
                        sort_key=(on, condition.created_at),
                    )
                )
    if entries:
        read.append(category_of("offending.Sentence"))
    return entries
