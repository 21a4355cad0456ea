"""What a worker or mentor has on today, and their caseload: their own live cases (as worker or
mentor, in the organisation they act for), filtered by the access policy. Each read is a fixed
number of queries however many cases there are: last contact and release date are subqueries."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from resettle.access import policy
from resettle.access.prepared import PreparedForShape, PreparedRows
from resettle.accounts.models import Membership
from resettle.appointments.models import Appointment, AppointmentState
from resettle.cases.models import Case, CaseState, Task, TaskKind
from resettle.contacts.models import ContactOutcome
from resettle.core.prepared import Param
from resettle.outcomes.selectors import Due, due_assessments
from resettle.registers.models import Session
from resettle.registers.selectors import session_list

DEFAULT_NO_CONTACT_DAYS = 14
RELEASE_WINDOW_DAYS = 7


class _Dates(TypedDict):
    last_contact: datetime | None
    release_on: date | None
    next_appointment: datetime | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A case as my_cases gives it: with its latest contact and release date.
    CaseWithDates = WithAnnotations[Case, _Dates]


def my_cases(
    *, actor: Membership | None, now: datetime | Param | None = None
) -> "QuerySet[CaseWithDates]":
    """The actor's live cases, each with `last_contact` (the latest attended contact on the
    case they may see), `release_on` (the expected release from the current custody period,
    only where they may see custody) and `next_appointment` (the start of the next booked
    appointment on the case they may see, after `now`)."""
    if actor is None or not policy.can_view_case_records(actor):
        return cast("QuerySet[CaseWithDates]", Case.objects.none())  # no rows to annotate
    last_contact = (
        policy.contacts_visible_to(actor)
        .filter(case_id=OuterRef("pk"), outcome=ContactOutcome.ATTENDED)
        .order_by("-happened_at")
        .values("happened_at")[:1]
    )
    in_custody = Q(released_on__isnull=True) | Q(recalled_on__gt=F("released_on"))
    release_on = (
        policy.custody_periods_visible_to(actor)
        .filter(in_custody, person_id=OuterRef("person_id"), ended_on__isnull=True)
        .exclude(expected_release_date__isnull=True)
        .order_by("expected_release_date")
        .values("expected_release_date")[:1]
    )
    next_appointment = (
        policy.appointments_visible_to(actor)
        .filter(
            case_id=OuterRef("pk"),
            state=AppointmentState.BOOKED,
            ends_at__gte=timezone.now() if now is None else now,
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        policy.cases_visible_to(actor)
        .filter(organisation_id=actor.organisation_id)
        .filter(Q(worker_id=actor.user_id) | Q(mentor_id=actor.user_id))
        .exclude(state=CaseState.CLOSED)
        .select_related("person")
        .annotate(
            last_contact=Subquery(last_contact),
            release_on=Subquery(release_on),
            next_appointment=Subquery(next_appointment),
        )
    )


@dataclass
class Today:
    on: date
    no_contact_days: int
    gate_meetings: list[Task] = field(default_factory=list)
    # The actor's own appointments today, and earlier ones still waiting for their outcome.
    appointments: list[Appointment] = field(default_factory=list)
    awaiting_outcome: list[Appointment] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    overdue_tasks: list[Task] = field(default_factory=list)
    releases: list["CaseWithDates"] = field(default_factory=list)
    recalled: list["CaseWithDates"] = field(default_factory=list)
    reviews_due: list["CaseWithDates"] = field(default_factory=list)
    no_contact: list["CaseWithDates"] = field(default_factory=list)
    # Outcome questionnaires the schedules make due on the actor's cases, closed ones included.
    outcomes_due: list[Due] = field(default_factory=list)
    # Today's sessions of the actor's organisation's services (or, for a mentor, those they
    # lead), each a register to take.
    sessions: list[Session] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.gate_meetings,
                self.appointments,
                self.awaiting_outcome,
                self.tasks,
                self.overdue_tasks,
                self.releases,
                self.recalled,
                self.reviews_due,
                self.no_contact,
                self.outcomes_due,
                self.sessions,
            )
        )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def my_tasks(*, actor: Membership | None, before: datetime) -> QuerySet[Task]:
    """Tasks still to do that are assigned to the actor, on their live cases, due before."""
    if actor is None or not policy.can_view_case_records(actor):
        return Task.objects.none()
    return (
        Task.objects.filter(
            assigned_to_id=actor.user_id,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__lt=before,
        )
        # Correlated, so only the actor's own few tasks' cases are checked (an IN would list
        # every case of the organisation first).
        .filter(
            Exists(
                policy.cases_visible_to(actor)
                .filter(pk=OuterRef("case_id"), organisation_id=actor.organisation_id)
                .exclude(state=CaseState.CLOSED)
            )
        )
        .select_related("case__person")
        .order_by("due_at")
    )


def my_appointments(*, actor: Membership | None, on: date) -> QuerySet[Appointment]:
    """The actor's own appointments (they meet the person) today, in any state, and earlier
    ones still booked (their outcome is still to record): one query."""
    if actor is None or not policy.can_view_case_records(actor):
        return Appointment.objects.none()
    start, end = _start_of(on), _start_of(on + timedelta(days=1))
    return (
        policy.appointments_visible_to(actor)
        .filter(organisation_id=actor.organisation_id, with_user_id=actor.user_id)
        .filter(
            Q(starts_at__gte=start, starts_at__lt=end)
            | Q(starts_at__lt=start, state=AppointmentState.BOOKED)
        )
        .select_related("person")
        .order_by("starts_at", "pk")
    )


# The today page's lists rest on the day and the actor alone (but for the time now): prepared once
# per principal shape (resettle/access/prepared.py).
TODAYS_APPOINTMENTS = PreparedForShape(lambda actor, on: my_appointments(actor=actor, on=on))
TASKS_DUE_BY_TOMORROW = PreparedForShape(
    lambda actor, on: my_tasks(actor=actor, before=_start_of(on + timedelta(days=1)))
)
LIVE_CASES_BY_NAME = PreparedForShape(
    lambda actor, on: my_cases(actor=actor, now=Param("now", DateTimeField())).order_by(
        "person__family_name", "person__given_name"
    )
)


def today_for(*, actor: Membership | None, no_contact_days: int = DEFAULT_NO_CONTACT_DAYS) -> Today:
    on = timezone.localdate()
    result = Today(on=on, no_contact_days=no_contact_days)
    now = timezone.now()
    for appointment in TODAYS_APPOINTMENTS(actor, on):
        if appointment.state == AppointmentState.BOOKED and appointment.starts_at <= now:
            result.awaiting_outcome.append(appointment)
        if appointment.starts_at >= _start_of(on):
            result.appointments.append(appointment)
    for task in TASKS_DUE_BY_TOMORROW(actor, on):
        if task.due_at < _start_of(on):
            result.overdue_tasks.append(task)
        elif task.kind == TaskKind.GATE_MEETING:
            result.gate_meetings.append(task)
        else:
            result.tasks.append(task)
    cutoff = timezone.now() - timedelta(days=no_contact_days)
    quiet_since = on - timedelta(days=no_contact_days)
    for case in LIVE_CASES_BY_NAME(actor, on, now=now):
        if case.release_on and on <= case.release_on <= on + timedelta(days=RELEASE_WINDOW_DAYS):
            result.releases.append(case)
        if case.state == CaseState.PAUSED:
            result.recalled.append(case)
        if case.next_review_on and case.next_review_on <= on:
            result.reviews_due.append(case)
        if (case.last_contact and case.last_contact < cutoff) or (
            case.last_contact is None and case.opened_on <= quiet_since
        ):
            result.no_contact.append(case)
    # Only cases with these dates are in these lists.
    result.outcomes_due = due_assessments(actor=actor, on=on)
    result.sessions = list(session_list(actor=actor, on=on))
    result.releases.sort(key=lambda c: c.release_on or on)
    result.reviews_due.sort(key=lambda c: c.next_review_on or on)
    # Longest without contact first (never seen first of all), as the page shows only the first.
    result.no_contact.sort(key=lambda c: (c.last_contact is not None, c.last_contact or now))
    return result


# Caseload --------------------------------------------------------------------------------------

SORTS = {
    "name": (F("person__family_name").asc(), F("person__given_name").asc()),
    "state": (F("state").asc(), F("person__family_name").asc()),
    "last_contact": (F("last_contact").asc(nulls_first=True),),
    "next_review": (F("next_review_on").asc(nulls_last=True),),
    "release": (F("release_on").asc(nulls_last=True),),
    "next_appointment": (F("next_appointment").asc(nulls_last=True),),
}


def _reversed(expression: OrderBy) -> OrderBy:
    flipped = expression.copy()
    flipped.reverse_ordering()  # in place
    return flipped


def _caseload(actor: Membership, on: date, state: bool, query: bool, ordering: str) -> QuerySet:
    cases = my_cases(actor=actor, now=Param("now", DateTimeField()))
    if state:
        cases = cases.filter(state=Param("state", CharField()))
    if query:
        text = Param("query", CharField())
        cases = cases.filter(
            Q(person__given_name__icontains=text)
            | Q(person__family_name__icontains=text)
            | Q(person__preferred_name__icontains=text)
        )
    descending = ordering.startswith("-")
    key = ordering.removeprefix("-")
    order = SORTS.get(key, SORTS["name"])
    if descending:
        order = tuple(_reversed(expression) for expression in order)
    return cases.order_by(*order, "pk")


# Each form of the list (which filters, which order, which page) prepared once per principal shape.
CASELOAD = PreparedForShape(_caseload)


def caseload(
    *, actor: Membership | None, state: str = "", query: str = "", ordering: str = "name"
) -> PreparedRows:
    """The actor's live cases, filtered and in `ordering`, as a paginator reads them."""
    values: dict[str, Any] = {"now": timezone.now()}
    if state in (CaseState.OPEN, CaseState.PAUSED):
        values["state"] = state
    if query:
        values["query"] = query
    key = ordering if ordering.removeprefix("-") in SORTS else "name"
    on = timezone.localdate()
    return CASELOAD.rows(actor, on, "state" in values, "query" in values, key, **values)
