"""Appointments: mentors (and some caseworkers) have meetings booked this week with the people
they work with; a gate meeting planned for a release day this week, or the demo mentor's next
one, is booked as an appointment too; and last week's meetings have their outcomes recorded, each
with the contact it became. Reads `result.cases` and the gate-meeting tasks of the cases step."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from resettle.appointments.models import (
    MODE_OF_KIND,
    Appointment,
    AppointmentKind,
    AppointmentState,
)
from resettle.cases.models import Case, CaseState, Task, TaskKind
from resettle.contacts.models import Contact, ContactOutcome
from resettle.demo.generator.context import DemoResult, Step, save_all

PLACES = (
    "Costa, Millbrook High Street",
    "Millbrook library, meeting room 2",
    "Through the Gate Mentors office, 12 Station Road",
    "Jobcentre Plus, Eastgate",
    "Ashcombe community hub",
)
KINDS = {
    AppointmentKind.FACE_TO_FACE: 70.0,
    AppointmentKind.PHONE: 25.0,
    AppointmentKind.VIDEO: 5.0,
}
OUTCOMES = {ContactOutcome.ATTENDED: 80.0, ContactOutcome.DID_NOT_ATTEND: 20.0}
NOTES = (
    "Bring the Universal Credit letter.",
    "Walk to the jobcentre together afterwards.",
    "",
    "",
)
WEEK = 7
GATE_MINUTES = 90


def _at(on: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(hour, minute)))


class _Booker:
    def __init__(self, step: Step) -> None:
        self.step = step
        self.appointments: list[Appointment] = []
        self.contacts: list[Contact] = []
        # (user id, start) already taken: the demo never double-books anyone.
        self.taken: set[tuple[int, datetime]] = set()

    def free(self, user_id: int, starts_at: datetime) -> bool:
        return (user_id, starts_at) not in self.taken

    def book(
        self,
        case: Case,
        user_id: int,
        kind: str,
        starts_at: datetime,
        minutes: int,
        place: str,
        note: str = "",
    ) -> Appointment:
        self.taken.add((user_id, starts_at))
        appointment = Appointment(
            id=self.step.new_id(),
            person_id=case.person_id,
            case_id=case.pk,
            organisation_id=case.organisation_id,
            with_user_id=user_id,
            booked_by_id=user_id,
            kind=kind,
            mode=MODE_OF_KIND[AppointmentKind(kind)],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            place=place if MODE_OF_KIND[AppointmentKind(kind)] == "in_person" else "",
            note=note,
        )
        self.appointments.append(appointment)
        return appointment

    def happened(self, appointment: Appointment) -> None:
        """Its outcome recorded: the contact it became, as the outcome service makes it."""
        outcome = self.step.pick(OUTCOMES)
        contact = Contact(
            id=self.step.new_id(),
            person_id=appointment.person_id,
            case_id=appointment.case_id,
            organisation_id=appointment.organisation_id,
            recorded_by_id=appointment.with_user_id,
            kind=appointment.kind,
            happened_at=appointment.starts_at,
            outcome=outcome,
            duration_minutes=appointment.minutes if outcome == ContactOutcome.ATTENDED else None,
        )
        self.contacts.append(contact)
        appointment.state = AppointmentState(str(outcome))
        appointment.contact = contact


def create_appointments(result: DemoResult) -> None:
    step = Step(result, "appointments")
    today = result.today
    booker = _Booker(step)
    live = [
        c
        for c in result.cases
        if isinstance(c, Case) and c.state == CaseState.OPEN and (c.mentor_id or c.worker_id)
    ]
    by_id = {case.pk: case for case in live}
    _gate_meetings(result, booker, by_id)
    org_keys = {org.pk: key for key, org in result.organisations.items()}
    for case in live:
        mentored = case.mentor_id is not None
        if not (mentored or (org_keys.get(case.organisation_id) == "lead" and step.chance(0.3))):
            continue
        user_id = case.mentor_id or case.worker_id
        assert user_id is not None  # only cases with someone allocated are live here
        if step.chance(0.7):
            _meeting(booker, case, user_id, today + timedelta(days=step.rng.randint(0, WEEK - 1)))
        if step.chance(0.6):
            past = _meeting(
                booker, case, user_id, today - timedelta(days=step.rng.randint(1, WEEK))
            )
            if past is not None:
                booker.happened(past)
    save_all(Contact, booker.contacts, "contacts", result)
    save_all(Appointment, booker.appointments, "appointments", result)


def _meeting(booker: _Booker, case: Case, user_id: int, on: date) -> Appointment | None:
    step = booker.step
    starts_at = _at(on, step.rng.randint(10, 16), step.rng.choice((0, 30)))
    if case.opened_on > on or not booker.free(user_id, starts_at):
        return None
    return booker.book(
        case,
        user_id,
        step.pick(KINDS),
        starts_at,
        step.rng.choice((30, 45, 60)),
        step.rng.choice(PLACES),
        step.rng.choice(NOTES),
    )


def _gate_meetings(result: DemoResult, booker: _Booker, cases: dict) -> None:
    """Gate meetings planned for a release day this week are booked; the demo mentor's next one
    is booked whenever it falls, so their week always has one to show."""
    today = result.today
    planned = (
        Task.objects.filter(
            case_id__in=list(cases),
            kind=TaskKind.GATE_MEETING,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            assigned_to__isnull=False,
            due_at__gte=_at(today, 0),
        )
        .order_by("due_at", "id")
        .values_list("case_id", "assigned_to_id", "due_at", "place")
    )
    mentor = result.users.get("mentor")
    mentor_booked = False
    for case_id, user_id, due_at, place in planned:
        this_week = timezone.localtime(due_at).date() < today + timedelta(days=WEEK)
        mentors_first = mentor is not None and user_id == mentor.pk and not mentor_booked
        if not (this_week or mentors_first) or not booker.free(user_id, due_at):
            continue
        booker.book(
            cases[case_id],
            user_id,
            AppointmentKind.GATE_MEETING,
            due_at,
            GATE_MINUTES,
            place,
            "Bring a travel warrant and the hostel address.",
        )
        mentor_booked = mentor_booked or (mentor is not None and user_id == mentor.pk)
