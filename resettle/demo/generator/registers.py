"""Sessions and registers (DESIGN §7): each football trust's weekly sessions for the last six
months, from its schedules, with registers. People referred to a trust's service are enrolled
when the referral is accepted, come most weeks, and some drop off; open sessions count people
who turned up unregistered; now and then a session is rained off. A trust's referral-only course
runs as an eight-week programme (at least 7 of 8) with an award most of its cohort achieve.
Reads `result.services` and `result.referrals`."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from resettle.accounts.models import Role, User
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.directory.models import Access, Schedule, Service
from resettle.people.models import Person, WorkingRelationship
from resettle.referrals.models import Referral, ReferralState
from resettle.registers.models import (
    Attendance,
    AttendanceStatus,
    CompletionRule,
    Enrolment,
    EnrolmentState,
    Programme,
    Session,
    SessionNote,
)
from resettle.registers.services import schedule_days

WEEKS = 26
COURSE_WEEKS = 8
# How many a course takes.
COHORT = 10
TRUSTS = ("trust_millbrook", "trust_ashcombe", "trust_eastgate")
AWARD = ("Level 1 award in community sports coaching", "Northvale Sports Awards", "Level 1")
MARKS = {
    AttendanceStatus.ATTENDED: 80.0,
    AttendanceStatus.LATE: 7.0,
    AttendanceStatus.LEFT_EARLY: 3.0,
    AttendanceStatus.DID_NOT_ATTEND: 7.0,
    AttendanceStatus.CANCELLED_BY_PERSON: 3.0,
}
NOTES = (
    ("Stayed behind to help put the goals away; great attitude all session.", False),
    ("Quiet today and left before the end. Worth a check-in.", False),
    ("Got into a heated argument with another player; calmed down after time out.", True),
)
LIVE = (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.COMPLETED)


def create_registers(result: DemoResult) -> None:
    step = Step(result, "registers")
    keys = {org.pk: key for key, org in result.organisations.items()}
    trust_services = [
        s for s in result.services if isinstance(s, Service) and keys[s.organisation_id] in TRUSTS
    ]
    schedules = defaultdict(list)
    for schedule in Schedule.objects.filter(service__in=trust_services).order_by("pk"):
        schedules[schedule.service_id].append(schedule)
    # One enrolment per person and service: their first referral there that was accepted.
    referred = defaultdict(list)
    seen = set()
    for referral in result.referrals:
        pair = (referral.person_id, referral.service_id)
        if isinstance(referral, Referral) and referral.state in LIVE and pair not in seen:
            seen.add(pair)
            referred[referral.service_id].append(referral)
    rows = _Rows()
    for service in trust_services:
        coordinator = _coordinator(result, keys[service.organisation_id])
        if service.access == Access.REFERRAL_ONLY and schedules[service.pk]:
            others = [
                r
                for s in trust_services
                if s.organisation_id == service.organisation_id and s.pk != service.pk
                for r in referred[s.pk]
            ]
            hours = schedules[service.pk][0]
            cohort = _cohort(step, rows, result, service, referred[service.pk], others)
            _course(step, rows, service, hours, cohort, coordinator)
        else:
            for schedule in schedules[service.pk]:
                _weekly(step, rows, service, schedule, referred[service.pk], coordinator)
    _today(step, rows, result, trust_services)
    save_all(Programme, rows.programmes, "programmes", result)
    save_all(Session, rows.sessions, "sessions", result)
    save_all(WorkingRelationship, rows.relationships, "working relationships", result)
    save_all(Enrolment, rows.enrolments, "enrolments", result)
    save_all(Attendance, rows.attendance, "attendance marks", result)
    save_all(SessionNote, rows.notes, "session notes", result)


class _Rows:
    def __init__(self) -> None:
        self.programmes: list[Programme] = []
        self.sessions: list[Session] = []
        self.enrolments: list[Enrolment] = []
        self.attendance: list[Attendance] = []
        self.notes: list[SessionNote] = []
        self.relationships: list[WorkingRelationship] = []


def _coordinator(result: DemoResult, org_key: str) -> User | None:
    staff = result.staff.get(f"{org_key}:{Role.DELIVERY_COORDINATOR}") or []
    return staff[0] if staff else None


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _session(
    step: Step, service: Service, day: date, hours: Schedule, *, occurrence: bool, **fields
) -> Session:
    """A session on `day` at the schedule's hours: one of its occurrences, or (a programme's)
    a session of its own."""
    starts_at = _at(day, hours.opens_at)
    return Session(
        id=step.new_id(),
        service=service,
        schedule=hours if occurrence else None,
        scheduled_start=starts_at if occurrence else None,
        starts_at=starts_at,
        ends_at=_at(day, hours.closes_at),
        location_id=hours.location_id,
        capacity=service.capacity,
        open=service.access != Access.REFERRAL_ONLY,
        **fields,
    )


def _enrol(step: Step, referral: Referral, coordinator: User | None, **fields) -> Enrolment:
    return Enrolment(
        id=step.new_id(),
        person_id=referral.person_id,
        service_id=referral.service_id,
        referral=referral,
        enrolled_on=timezone.localtime(referral.decided_at).date(),
        enrolled_by=coordinator,
        **fields,
    )


def _mark(step: Step, rows: _Rows, session: Session, person_id, by: User | None) -> None:
    rows.attendance.append(
        Attendance(
            id=step.new_id(),
            session=session,
            person_id=person_id,
            status=step.pick(MARKS),
            recorded_by=by,
        )
    )
    if step.chance(0.02):
        text, concern = step.rng.choice(NOTES)
        rows.notes.append(
            SessionNote(
                id=step.new_id(),
                session=session,
                person_id=person_id,
                organisation_id=session.service.organisation_id,
                author=by,
                text=text,
                concern=concern,
            )
        )


def _weekly(
    step: Step,
    rows: _Rows,
    service: Service,
    schedule: Schedule,
    referrals: list[Referral],
    coordinator: User | None,
) -> None:
    """Six months of the schedule's sessions and two weeks ahead; the people referred come
    from when they were accepted, and some stop coming (their enrolment withdrawn)."""
    today = step.today
    sessions = []
    for day in schedule_days(schedule, today - timedelta(weeks=WEEKS), today + timedelta(weeks=2)):
        session = _session(step, service, day, schedule, occurrence=True)
        if day < today and step.chance(0.04):
            session.cancelled_at = _at(day, time(9))
            session.cancel_reason = "Pitch waterlogged"
        elif day < today and session.open:
            session.unregistered_headcount = step.rng.randint(0, 9)
        sessions.append(session)
    rows.sessions.extend(sessions)
    for referral in referrals:
        enrolment = _enrol(step, referral, coordinator)
        attended = [
            s
            for s in sessions
            if s.cancelled_at is None and enrolment.enrolled_on <= s.starts_at.date() < today
        ]
        if attended and step.chance(0.3):
            stop = step.rng.randint(1, len(attended))
            attended = attended[:stop]
            enrolment.state = EnrolmentState.WITHDRAWN
            enrolment.withdrawn_on = min(today, attended[-1].starts_at.date() + timedelta(weeks=3))
            enrolment.withdraw_reason = "Stopped coming; did not answer calls"
        rows.enrolments.append(enrolment)
        for session in attended:
            _mark(step, rows, session, referral.person_id, coordinator)


def _cohort(
    step: Step,
    rows: _Rows,
    result: DemoResult,
    service: Service,
    referrals: list[Referral],
    others: list[Referral],
) -> list[tuple[Person, Referral | None]]:
    """The course's cohort: the people referred to it, then people the trust works with from
    its other services, then people who came along to its open sessions and asked to join
    (self-referred: the trust starts working with them as they enrol)."""
    people = {p.pk: p for p in result.leavers}
    cohort: list[tuple[Person, Referral | None]] = [
        (people[r.person_id], r) for r in referrals if r.person_id in people
    ]
    taken = {person.pk for person, _referral in cohort}
    for other in others:
        if len(cohort) < COHORT and other.person_id in people and other.person_id not in taken:
            taken.add(other.person_id)
            cohort.append((people[other.person_id], None))
    working = set(
        WorkingRelationship.objects.filter(organisation_id=service.organisation_id).values_list(
            "person_id", flat=True
        )
    )
    strangers = [p for p in result.leavers if p.pk not in working and p.pk not in taken]
    for person in step.rng.sample(strangers, max(0, min(len(strangers), COHORT - len(cohort)))):
        cohort.append((person, None))
        rows.relationships.append(
            WorkingRelationship(
                id=step.new_id(),
                person=person,
                organisation_id=service.organisation_id,
                started_on=step.today - timedelta(weeks=COURSE_WEEKS + 4),
            )
        )
    return cohort


def _course(
    step: Step,
    rows: _Rows,
    service: Service,
    schedule: Schedule,
    cohort: list[tuple[Person, Referral | None]],
    coordinator: User | None,
) -> None:
    """The course as an eight-week programme that ended a fortnight ago: most of the cohort
    attend 7 or 8 and complete with the award; a few drop off."""
    name, body, level = AWARD
    programme = Programme(
        id=step.new_id(),
        service=service,
        name=f"{service.name}: {step.today - timedelta(weeks=COURSE_WEEKS + 2):%B} cohort",
        sessions_planned=COURSE_WEEKS,
        completion_rule=CompletionRule.AT_LEAST,
        minimum_attended=COURSE_WEEKS - 1,
        award_name=name,
        awarding_body=body,
        award_level=level,
    )
    rows.programmes.append(programme)
    first = step.today - timedelta(weeks=COURSE_WEEKS + 2)
    days = [first + timedelta(weeks=week) for week in range(COURSE_WEEKS)]
    sessions = [
        _session(
            step,
            service,
            day,
            schedule,
            occurrence=False,
            programme=programme,
            programme_session=number,
        )
        for number, day in enumerate(days, start=1)
    ]
    rows.sessions.extend(sessions)
    for person, referral in cohort:
        enrolment = Enrolment(
            id=step.new_id(),
            person=person,
            service=service,
            programme=programme,
            referral=referral,
            reason="" if referral else "Came to the weekly sessions and asked to join the course",
            enrolled_on=first - timedelta(days=step.rng.randint(3, 20)),
            enrolled_by=coordinator,
        )
        if step.chance(0.75):
            missed = step.rng.choice([None, step.rng.randrange(COURSE_WEEKS)])
            came = [s for i, s in enumerate(sessions) if i != missed]
            enrolment.state = EnrolmentState.COMPLETED
            enrolment.completed_on = days[-1]
            enrolment.award_achieved_on = days[-1] + timedelta(days=7)
            enrolment.completion_confirmed_by = coordinator
            enrolment.feedback_rating = step.rng.choice([4, 5, 5])
        else:
            came = sessions[: step.rng.randint(1, 4)]
            enrolment.state = EnrolmentState.WITHDRAWN
            enrolment.withdrawn_on = came[-1].starts_at.date() + timedelta(days=10)
            enrolment.withdraw_reason = "Started a job with daytime shifts"
        rows.enrolments.append(enrolment)
        for session in came:
            rows.attendance.append(
                Attendance(
                    id=step.new_id(),
                    session=session,
                    person=person,
                    status=AttendanceStatus.ATTENDED,
                    recorded_by=coordinator,
                )
            )


def _today(step: Step, rows: _Rows, result: DemoResult, services: list[Service]) -> None:
    """The coordinator's trust has an open session today, so its register is there to take."""
    trust = result.organisations.get(TRUSTS[0])
    today = step.today
    if trust is None or any(
        s.service.organisation_id == trust.pk and timezone.localdate(s.starts_at) == today
        for s in rows.sessions
    ):
        return
    weekly = next(
        (s for s in services if s.organisation_id == trust.pk and s.access != Access.REFERRAL_ONLY),
        None,
    )
    if weekly is None:
        return
    rows.sessions.append(
        Session(
            id=step.new_id(),
            service=weekly,
            starts_at=_at(today, time(17)),
            ends_at=_at(today, time(18, 30)),
            place="Millbrook Rovers community pitches",
            capacity=weekly.capacity,
            open=True,
        )
    )
