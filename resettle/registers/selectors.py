"""Reads of sessions, registers, programmes and enrolments, filtered for the actor; and the
counts the reports take from registers (DESIGN §5)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Count, Min, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from resettle.access import policy
from resettle.access.registry import category_of
from resettle.accounts.models import Membership
from resettle.audit.services import record_reads
from resettle.contacts.models import Contact, ContactOutcome
from resettle.directory.models import Service
from resettle.people.models import Person
from resettle.registers.models import (
    PRESENT,
    Attendance,
    CompletionRule,
    Enrolment,
    EnrolmentState,
    Programme,
    Session,
    SessionNote,
)
from resettle.registers.services import ON_REGISTER, restrictions_of
from resettle.suitability.models import SuitabilityAssessment

ASSESSMENT = "suitability.SuitabilityAssessment"
ATTENDANCE = "registers.Attendance"


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def session_list(
    *,
    actor: Membership | None,
    service: Service | None = None,
    on: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Session]:
    """The sessions the actor may see, soonest first: of one service, on one day, or between
    two dates (`end` not included)."""
    sessions = policy.sessions_visible_to(actor)
    if service is not None:
        sessions = sessions.filter(service=service)
    if on is not None:
        first, after = _day_bounds(on)
        sessions = sessions.filter(starts_at__gte=first, starts_at__lt=after)
    if start is not None:
        sessions = sessions.filter(starts_at__gte=_day_bounds(start)[0])
    if end is not None:
        sessions = sessions.filter(starts_at__lt=_day_bounds(end)[0])
    return sessions.select_related("service", "programme", "location").order_by("starts_at")


def plannable_services(*, actor: Membership | None) -> list[Service]:
    """The services of the actor's organisation whose sessions it may plan."""
    if actor is None or not policy.is_current(actor):
        return []
    own = policy.services_visible_to(actor).filter(organisation_id=actor.organisation_id)
    return [s for s in own.order_by("name") if policy.can_plan_sessions(actor, s)]


@dataclass
class RegisterRow:
    person: Person
    enrolment: Enrolment | None
    attendance: Attendance | None
    # The suitability answers to act on, where the actor may read them.
    restrictions: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else ""


@dataclass
class Register:
    session: Session
    rows: list[RegisterRow]
    notes: list[SessionNote]

    @property
    def present(self) -> int:
        return sum(1 for row in self.rows if row.attendance and row.attendance.present)

    @property
    def marked(self) -> int:
        return sum(1 for row in self.rows if row.attendance)

    @property
    def over_capacity(self) -> bool:
        capacity = self.session.capacity
        return capacity is not None and self.present > capacity


def register_for(
    *, actor: Membership | None, session: Session, request: HttpRequest | None = None
) -> Register:
    """The session's register: everyone enrolled in the service (in its programme, for a
    programme's session) and anyone else marked, each with their mark and the suitability
    restrictions the actor may read; and the notes. Reads are audited. The caller has checked
    `policy.can_take_register`. The same few queries however many are on it."""
    visible = policy.about(policy.people_visible_to(actor))
    enrolments = Enrolment.objects.filter(
        visible, service_id=session.service_id, state__in=ON_REGISTER
    )
    if session.programme_id is not None:
        enrolments = enrolments.filter(
            Q(programme_id=session.programme_id) | Q(programme__isnull=True)
        )
    marks = {
        a.person_id: a
        for a in Attendance.objects.filter(visible, session=session).select_related("person")
    }
    rows: dict[object, RegisterRow] = {}
    for enrolment in enrolments.select_related("person").order_by(
        "person__family_name", "person__given_name"
    ):
        rows.setdefault(
            enrolment.person_id,
            RegisterRow(
                person=enrolment.person,
                enrolment=enrolment,
                attendance=marks.get(enrolment.person_id),
            ),
        )
    for person_id, mark in marks.items():
        rows.setdefault(person_id, RegisterRow(person=mark.person, enrolment=None, attendance=mark))
    readable = policy.people_with_readable(actor, ASSESSMENT).filter(pk__in=list(rows))
    assessments = SuitabilityAssessment.objects.filter(
        person__in=readable, superseded_by__isnull=True
    )
    read_suitability: list[tuple[object, str]] = []
    for assessment in assessments:
        rows[assessment.person_id].restrictions = restrictions_of(assessment)
        read_suitability.append((assessment.person_id, str(category_of(ASSESSMENT))))
    notes = list(
        policy.session_notes_visible_to(actor)
        .filter(session=session)
        .select_related("person", "author")
    )
    record_reads(
        actor=actor,
        reads=[(pk, str(category_of(ATTENDANCE))) for pk in rows] + read_suitability,
        request=request,
    )
    ordered = sorted(rows.values(), key=lambda row: (row.person.family_name, row.person.given_name))
    return Register(session=session, rows=ordered, notes=notes)


# Programmes and completion ---------------------------------------------------------------------


@dataclass
class Progress:
    enrolment: Enrolment
    attended: int
    attended_numbers: set[int]
    # By the programme's rule, from the registers.
    complete: bool


def _meets(programme: Programme, attended: int, numbers: set[int]) -> bool:
    if programme.completion_rule == CompletionRule.AT_LEAST:
        return attended >= (programme.minimum_attended or 0)
    return set(programme.core_sessions) <= numbers


def programme_progress(
    *, actor: Membership | None, programme: Programme, request: HttpRequest | None = None
) -> list[Progress]:
    """Each enrolment in the programme the actor may see, with the sessions attended and
    whether that completes it by the programme's rule (the cohort, in one read)."""
    enrolments = list(
        policy.enrolments_visible_to(actor)
        .filter(programme=programme)
        .select_related("person", "completion_confirmed_by")
        .order_by("person__family_name", "person__given_name")
    )
    attended: dict[object, set[int]] = {}
    counts: dict[object, int] = {}
    for person_id, number in Attendance.objects.filter(
        session__programme=programme,
        session__cancelled_at__isnull=True,
        status__in=PRESENT,
        person_id__in=[e.person_id for e in enrolments],
    ).values_list("person_id", "session__programme_session"):
        counts[person_id] = counts.get(person_id, 0) + 1
        if number is not None:
            attended.setdefault(person_id, set()).add(number)
    progress = [
        Progress(
            enrolment=e,
            attended=counts.get(e.person_id, 0),
            attended_numbers=attended.get(e.person_id, set()),
            complete=_meets(
                programme, counts.get(e.person_id, 0), attended.get(e.person_id, set())
            ),
        )
        for e in enrolments
    ]
    record_reads(
        actor=actor,
        reads=[(e.person_id, category_of("registers.Enrolment")) for e in enrolments],
        request=request,
    )
    return progress


def progress_of(*, enrolment: Enrolment) -> Progress | None:
    """One enrolment's progress through its programme (None without one). The caller has the
    enrolment from the policy."""
    programme = enrolment.programme
    if programme is None:
        return None
    rows = Attendance.objects.filter(
        person_id=enrolment.person_id,
        session__programme=programme,
        session__cancelled_at__isnull=True,
        status__in=PRESENT,
    ).values_list("session__programme_session", flat=True)
    numbers = list(rows)
    attended = {n for n in numbers if n is not None}
    return Progress(
        enrolment=enrolment,
        attended=len(numbers),
        attended_numbers=attended,
        complete=_meets(programme, len(numbers), attended),
    )


def enrolment_notes(*, actor: Membership | None, enrolment: Enrolment) -> list[SessionNote]:
    """The leaders' notes about the person at the service's sessions the actor may read (the
    referrer: those it was told of)."""
    return list(
        policy.session_notes_visible_to(actor)
        .filter(person_id=enrolment.person_id, session__service_id=enrolment.service_id)
        .select_related("session")
        .order_by("-created_at")
    )


def enrolment_list(
    *,
    actor: Membership | None,
    person: Person | None = None,
    service: Service | None = None,
    programme: Programme | None = None,
    state: str = "",
) -> QuerySet[Enrolment]:
    enrolments = policy.enrolments_visible_to(actor)
    if person is not None:
        enrolments = enrolments.filter(person=person)
    if service is not None:
        enrolments = enrolments.filter(service=service)
    if programme is not None:
        enrolments = enrolments.filter(programme=programme)
    if state:
        enrolments = enrolments.filter(state=state)
    return enrolments.select_related("person", "service", "programme").order_by(
        "-enrolled_on", "-created_at"
    )


def programme_list(*, actor: Membership | None, service: Service | None = None):
    programmes = policy.programmes_visible_to(actor)
    if service is not None:
        programmes = programmes.filter(service=service)
    return programmes.select_related("service").annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.ENROLLED))
    )


# Counting (DESIGN §5) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceCounts:
    """An organisation's own figures for a period, from contacts and registers together."""

    # Distinct people with an attended contact or session in the period.
    people_supported: int
    # People whose first attended contact or session with the organisation is in the period.
    new_starts: int
    # Attended contacts, each session attended counting as one.
    contacts_attended: int
    # People at open sessions who are not on the register: a number, never people.
    unregistered_headcount: int


def _attended_sessions(organisation_id: UUID) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        session__service__organisation_id=organisation_id,
        session__cancelled_at__isnull=True,
        status__in=PRESENT,
    )


def _attended_contacts(organisation_id: UUID) -> QuerySet[Contact]:
    return Contact.objects.filter(organisation_id=organisation_id, outcome=ContactOutcome.ATTENDED)


def attendance_counts(*, actor: Membership | None, start: date, end: date) -> AttendanceCounts:
    """The actor's organisation's figures for [start, end): an attended session is an attended
    contact; headcounts are reported beside them, never as people."""
    if actor is None or not policy.is_current(actor):
        return AttendanceCounts(0, 0, 0, 0)
    org = actor.organisation_id
    first, after = _day_bounds(start)[0], _day_bounds(end)[0]
    sessions = _attended_sessions(org).filter(
        session__starts_at__gte=first, session__starts_at__lt=after
    )
    contacts = _attended_contacts(org).filter(happened_at__gte=first, happened_at__lt=after)
    supported = set(sessions.values_list("person_id", flat=True)) | set(
        contacts.values_list("person_id", flat=True)
    )
    earliest: dict[object, datetime] = {}
    for rows in (
        _attended_sessions(org)
        .filter(person_id__in=supported)
        .values_list("person_id")
        .annotate(first=Min("session__starts_at")),
        _attended_contacts(org)
        .filter(person_id__in=supported)
        .values_list("person_id")
        .annotate(first=Min("happened_at")),
    ):
        for person_id, when in rows:
            earliest[person_id] = min(earliest.get(person_id, when), when)
    headcount = sum(
        Session.objects.filter(
            service__organisation_id=org,
            cancelled_at__isnull=True,
            starts_at__gte=first,
            starts_at__lt=after,
        ).values_list("unregistered_headcount", flat=True)
    )
    return AttendanceCounts(
        people_supported=len(supported),
        new_starts=sum(1 for when in earliest.values() if first <= when < after),
        contacts_attended=sessions.count() + contacts.count(),
        unregistered_headcount=headcount,
    )
