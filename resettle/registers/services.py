"""Every write to sessions, enrolments, registers and session notes.

Sessions come from a service's schedules (generated for the weeks ahead, never twice) or are
added one at a time; moving or cancelling one tells the workers of the people booked on it. A
person takes part through an enrolment, made when a referral to the service is accepted or, for
someone who turned up to an open session, with a reason: no case is needed. Marks are taken per
session and person, each with the key the device gave it, so a register sent twice counts once."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, User
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_events
from resettle.cases.models import Case, CaseState
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.directory.models import Access, Schedule, Service
from resettle.notifications.services import notify
from resettle.people.models import Person
from resettle.people.services import person_create, working_relationship_end
from resettle.referrals.models import Referral
from resettle.registers.lifecycle import ACTIONS
from resettle.registers.models import (
    PRESENT,
    Attendance,
    AttendanceStatus,
    Enrolment,
    EnrolmentState,
    MarkReceipt,
    Programme,
    Session,
    SessionNote,
)
from resettle.suitability.models import Answer, SuitabilityAssessment
from resettle.suitability.selectors import assessment_history

DEFAULT_WEEKS = 8
KEY_LENGTH = 100
MAX_WEEKS = 52
SESSION = "session"
ENROLMENT = "enrolment"
ATTENDANCE = "attendance"
SESSION_NOTE = "session_note"
# Enrolments that put someone on a service's registers.
ON_REGISTER = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED)
CANCELLED = "This session was cancelled, so its register takes no marks."
NOT_YOURS = "Only the organisation running this session can take its register."
PLANNERS_ONLY = "Only the service's coordinators and admins can plan its sessions."
SESSION_FIELDS = frozenset(
    {
        "starts_at",
        "ends_at",
        "programme",
        "programme_session",
        "location",
        "place",
        "capacity",
        "open",
        "under_18s_present",
        "vulnerable_adults_present",
    }
)


# Sessions ---------------------------------------------------------------------------------------


def is_session_service(service: Service) -> bool:
    """A service is delivered in sessions, with registers rather than cases, when it runs a
    programme or has sessions planned."""
    return service.programmes.exists() or service.sessions.exists()


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def schedule_days(schedule: Schedule, start: date, end: date) -> list[date]:
    """The days in [start, end) the schedule's rule gives, within its valid dates."""
    rule = rrulestr(schedule.rrule, dtstart=datetime.combine(schedule.valid_from, time.min))
    last = end - timedelta(days=1)
    if schedule.valid_to is not None:
        last = min(last, schedule.valid_to)
    first = max(start, schedule.valid_from)
    if last < first:
        return []
    between = rule.between(
        datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True
    )
    return [moment.date() for moment in between]


def _session_event(action: str, session: Session, changes: dict, reason: str = "") -> EventData:
    return EventData(
        action=action,
        object_type=SESSION,
        object_id=str(session.pk),
        reason=reason[:1000],
        changes=changes,
    )


@transaction.atomic
def sessions_generate(
    *,
    actor: Membership | None,
    service: Service,
    weeks: int = DEFAULT_WEEKS,
    start: date | None = None,
    request: HttpRequest | None = None,
) -> list[Session]:
    """Make the sessions the service's schedules give for `weeks` weeks from `start` (today),
    adding none that was made before: running it again adds only the weeks not yet made. With
    no actor it is Resettle's own run (the nightly task, the management command)."""
    if actor is not None and not policy.can_plan_sessions(actor, service):
        raise PermissionDenied(PLANNERS_ONLY)
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError({"weeks": f"Enter a number of weeks from 1 to {MAX_WEEKS}"})
    start = start or timezone.localdate()
    end = start + timedelta(weeks=weeks)
    schedules = list(service.schedules.select_related("location"))
    made = set(
        Session.objects.filter(schedule__in=schedules).values_list("schedule_id", "scheduled_start")
    )
    open_to_all = service.access in (Access.OPEN, Access.BOTH)
    new: list[Session] = []
    for schedule in schedules:
        for day in schedule_days(schedule, start, end):
            starts_at = _local(day, schedule.opens_at)
            if (schedule.pk, starts_at) in made:
                continue
            session = Session(
                service=service,
                schedule=schedule,
                scheduled_start=starts_at,
                starts_at=starts_at,
                ends_at=_local(day, schedule.closes_at),
                location=schedule.location,
                capacity=service.capacity,
                open=open_to_all,
            )
            session.full_clean(validate_constraints=False)
            new.append(session)
    # Two runs at once (the task and a coordinator) make each occurrence once between them.
    Session.objects.bulk_create(new, ignore_conflicts=True)
    record_events(
        actor=actor,
        request=request,
        events=[
            _session_event(AuditAction.CREATE, s, diff({}, {"starts_at": s.starts_at})) for s in new
        ],
    )
    return new


def _leaders_of(service: Service, leaders: Iterable[User]) -> list[User]:
    leaders = list(leaders)
    members = set(
        Membership.objects.filter(
            organisation_id=service.organisation_id, user__in=leaders
        ).values_list("user_id", flat=True)
    )
    if any(user.pk not in members for user in leaders):
        raise ValidationError({"leaders": "Choose leaders from your organisation's staff"})
    return leaders


@transaction.atomic
def session_create(
    *,
    actor: Membership,
    service: Service,
    data: dict[str, Any],
    leaders: Iterable[User] = (),
    request: HttpRequest | None = None,
) -> Session:
    """Add a one-off session of the service."""
    if not policy.can_plan_sessions(actor, service):
        raise PermissionDenied(PLANNERS_ONLY)
    unknown = sorted(set(data) - SESSION_FIELDS)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})
    session = Session(service=service, **data)
    session.full_clean()
    chosen = _leaders_of(service, leaders)
    session.save()
    session.leaders.set(chosen)
    record_events(
        actor=actor,
        request=request,
        events=[
            _session_event(
                AuditAction.CREATE,
                session,
                diff({}, {"starts_at": session.starts_at, "ends_at": session.ends_at}),
            )
        ],
    )
    return session


def _locked_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("service__organisation", "programme")
        .get(pk=session.pk)
    )


def _booked(session: Session) -> list[Enrolment]:
    enrolments = Enrolment.objects.filter(service_id=session.service_id, state__in=ON_REGISTER)
    if session.programme_id is not None:
        enrolments = enrolments.filter(Q(programme_id=session.programme_id) | Q(programme=None))
    return list(enrolments.select_related("person", "referral__referred_by"))


def _workers_of(enrolments: Sequence[Enrolment]) -> list[User]:
    """Who works with the people booked: whoever referred them, and the workers on their live
    cases."""
    referrers = [
        e.referral.referred_by
        for e in enrolments
        if e.referral is not None and e.referral.referred_by is not None
    ]
    workers = User.objects.filter(
        pk__in=Case.objects.filter(
            person_id__in=[e.person_id for e in enrolments], worker__isnull=False
        )
        .exclude(state=CaseState.CLOSED)
        .values("worker_id")
    )
    return [u for u in [*referrers, *workers] if u.is_active]


def _tell_workers(actor: Membership, session: Session, what: str) -> None:
    booked = _booked(session)
    if not booked:
        return
    notify(
        recipients=_workers_of(booked),
        organisation=actor.organisation,
        subject=f"{session.service.name}: a session was {what}",
        body=f"{actor.organisation.name} {what} the {session.service.name} session on "
        f"{timezone.localtime(session.moved_from or session.starts_at):%-d %B %Y at %H:%M}. "
        f"People you work with are booked on it.",
        link="",
        email_body=f"{actor.organisation.name} {what} a session someone you work with is "
        "booked on. Sign in to Resettle to see it.",
    )


@transaction.atomic
def session_cancel(
    *, actor: Membership, session: Session, reason: str, request: HttpRequest | None = None
) -> Session:
    """Cancel the session; the workers of the people booked on it are told."""
    if not policy.can_plan_sessions(actor, session.service):
        raise PermissionDenied(PLANNERS_ONLY)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the session is cancelled"})
    current = _locked_session(session)
    if current.cancelled:
        raise ApplicationError("This session is already cancelled.")
    current.cancelled_at = timezone.now()
    current.cancel_reason = reason.strip()
    current.full_clean()
    current.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            _session_event(
                AuditAction.STATE_CHANGE,
                current,
                {"cancelled": [None, "true"]},
                reason=current.cancel_reason,
            )
        ],
    )
    _tell_workers(actor, current, "cancelled")
    return current


@transaction.atomic
def session_move(
    *,
    actor: Membership,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Session:
    """Move the session to another time; the workers of the people booked on it are told."""
    if not policy.can_plan_sessions(actor, session.service):
        raise PermissionDenied(PLANNERS_ONLY)
    current = _locked_session(session)
    if current.cancelled:
        raise ApplicationError("This session is cancelled, so it cannot be moved.")
    before = {"starts_at": current.starts_at, "ends_at": current.ends_at}
    current.moved_from = current.starts_at
    current.starts_at = starts_at
    current.ends_at = ends_at
    current.full_clean()
    current.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            _session_event(
                AuditAction.UPDATE,
                current,
                diff(before, {"starts_at": starts_at, "ends_at": ends_at}),
                reason=reason,
            )
        ],
    )
    _tell_workers(actor, current, "moved")
    return current


@transaction.atomic
def session_headcount_set(
    *, actor: Membership, session: Session, headcount: int, request: HttpRequest | None = None
) -> Session:
    """How many people came to an open session without being on its register: a number, never
    people (DESIGN §5)."""
    if not policy.can_take_register(actor, session):
        raise PermissionDenied(NOT_YOURS)
    if headcount < 0:
        raise ValidationError({"unregistered_headcount": "Enter a number, 0 or more"})
    current = _locked_session(session)
    if current.cancelled:
        raise ApplicationError(CANCELLED)
    if not current.open:
        raise ApplicationError("Only an open session counts people who are not on its register.")
    before = {"unregistered_headcount": current.unregistered_headcount}
    current.unregistered_headcount = headcount
    current.save(update_fields=["unregistered_headcount", "updated_at"])
    record_events(
        actor=actor,
        request=request,
        events=[
            _session_event(
                AuditAction.UPDATE, current, diff(before, {"unregistered_headcount": headcount})
            )
        ],
    )
    return current


PROGRAMME_FIELDS = frozenset(
    {
        "name",
        "sessions_planned",
        "completion_rule",
        "minimum_attended",
        "core_sessions",
        "award_name",
        "awarding_body",
        "award_level",
    }
)


@transaction.atomic
def programme_create(
    *,
    actor: Membership,
    service: Service,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Programme:
    """Set up a programme of the service: how many sessions, the rule for completing it and
    any award."""
    if not policy.can_plan_sessions(actor, service):
        raise PermissionDenied(PLANNERS_ONLY)
    unknown = sorted(set(data) - PROGRAMME_FIELDS)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})
    programme = Programme(service=service, **data)
    programme.full_clean()
    programme.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.CREATE,
                object_type="programme",
                object_id=str(programme.pk),
                changes=diff({}, {"name": programme.name, "service": service.pk}),
            )
        ],
    )
    return programme


# Enrolments -------------------------------------------------------------------------------------


class SuitabilityRefusal(ApplicationError):
    """The person's suitability assessment says they may not take part in these sessions."""


def current_assessment(person: Person) -> SuitabilityAssessment | None:
    history = assessment_history(person=person)
    return history[0] if history else None


def restrictions_of(assessment: SuitabilityAssessment | None) -> list[str]:
    """The assessment's answers a session leader must act on, in words."""
    if assessment is None:
        return []
    said: list[str] = []
    answers = (
        ("group_sessions_with_adults", "group sessions"),
        ("sessions_with_under_18s_present", "sessions with under-18s present"),
        ("sessions_with_vulnerable_adults_present", "sessions with vulnerable adults present"),
    )
    for field, words in answers:
        answer = getattr(assessment, field)
        if answer == Answer.NO:
            said.append(f"No {words}")
        elif answer == Answer.YES_WITH_MEASURES:
            said.append(f"Measures needed for {words}")
    if assessment.two_staff_needed == "yes":
        said.append("Two staff needed")
    if assessment.named_contact_restriction == "yes":
        said.append("Must not be in contact with named people: ask the assessor")
    return said


def _broken_restrictions(
    assessment: SuitabilityAssessment | None, service: Service, programme: Programme | None
) -> list[str]:
    """The answers an enrolment in the service's (or programme's) coming sessions breaks."""
    if assessment is None:
        return []
    sessions = Session.objects.filter(
        service=service, cancelled_at__isnull=True, ends_at__gte=timezone.now()
    )
    if programme is not None:
        sessions = sessions.filter(programme=programme)
    broken: list[str] = []
    if assessment.group_sessions_with_adults == Answer.NO and sessions.exists():
        broken.append("group sessions")
    if (
        assessment.sessions_with_under_18s_present == Answer.NO
        and sessions.filter(under_18s_present=True).exists()
    ):
        broken.append("sessions with under-18s present")
    if (
        assessment.sessions_with_vulnerable_adults_present == Answer.NO
        and sessions.filter(vulnerable_adults_present=True).exists()
    ):
        broken.append("sessions with vulnerable adults present")
    return broken


def _enrol(
    *,
    actor: Membership,
    person: Person,
    service: Service,
    programme: Programme | None,
    referral: Referral | None,
    reason: str,
    suitability_confirmation: str,
    request: HttpRequest | None,
) -> Enrolment:
    if programme is not None and programme.service_id != service.pk:
        raise ValidationError({"programme": "Choose a programme of this service"})
    if referral is None and not reason.strip():
        raise ValidationError({"reason": "Enter why they are enrolling without a referral"})
    if Enrolment.objects.filter(
        person=person, service=service, state=EnrolmentState.ENROLLED
    ).exists():
        raise ApplicationError(f"{person.full_name} is already enrolled in {service.name}.")
    assessment = current_assessment(person)
    broken = _broken_restrictions(assessment, service, programme)
    confirmed_by = None
    if broken:
        assert assessment is not None
        assessor = assessment.assessor_organisation.name
        if not policy.can_confirm_suitability(actor, assessment):
            what = (
                f"Their suitability assessment says they may not attend {' or '.join(broken)}"
                if policy.can_view_suitability(actor, person)
                else "A suitability restriction stops this enrolment"
            )
            raise SuitabilityRefusal(
                f"{what}. Only {assessor}, which assessed them, can confirm it "
                f"({assessment.assessor_contact})."
            )
        if not suitability_confirmation.strip():
            raise ValidationError(
                {
                    "suitability_confirmation": "Say why they may attend "
                    f"{' or '.join(broken)} despite the assessment"
                }
            )
        confirmed_by = actor.user
    enrolment = Enrolment(
        person=person,
        service=service,
        programme=programme,
        referral=referral,
        enrolled_on=timezone.localdate(),
        reason=reason.strip(),
        enrolled_by=actor.user,
        suitability_confirmed_by=confirmed_by,
        suitability_note=suitability_confirmation.strip() if confirmed_by else "",
    )
    enrolment.full_clean()
    enrolment.save()
    values = {
        "service": service.pk,
        "programme": programme.pk if programme else None,
        "referral": referral.pk if referral else None,
        "state": enrolment.state,
        "suitability_confirmed": bool(confirmed_by),
    }
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.CREATE,
                object_type=ENROLMENT,
                object_id=str(enrolment.pk),
                person_id=person.pk,
                category=Category.CASE_NOTES,
                reason=enrolment.reason or enrolment.suitability_note,
                changes=diff({}, values),
            )
        ],
    )
    return enrolment


@transaction.atomic
def enrolment_create(
    *,
    actor: Membership,
    person: Person,
    service: Service,
    programme: Programme | None = None,
    referral: Referral | None = None,
    reason: str = "",
    suitability_confirmation: str = "",
    request: HttpRequest | None = None,
) -> Enrolment:
    """Enrol someone the organisation works with in its service (or one of its programmes).
    Without a referral a reason is needed (they turned up to an open session and want to come
    back). One a suitability restriction refuses goes ahead only when the assessor's
    organisation confirms it, saying why."""
    if not policy.can_enrol(actor, service):
        raise PermissionDenied("Only the organisation running the service can enrol people in it.")
    if not policy.can_view_person(actor, person):
        raise PermissionDenied("You can enrol only people your organisation works with.")
    if referral is not None and (
        referral.service_id != service.pk or referral.person_id != person.pk
    ):
        raise ValidationError({"referral": "Choose a referral of this person to this service"})
    return _enrol(
        actor=actor,
        person=person,
        service=service,
        programme=programme,
        referral=referral,
        reason=reason,
        suitability_confirmation=suitability_confirmation,
        request=request,
    )


def _next_programme(service: Service) -> Programme | None:
    """The programme whose next session comes first; none when no programme has sessions to
    come (the person then joins the service itself)."""
    upcoming = (
        Session.objects.filter(
            service=service,
            programme__isnull=False,
            cancelled_at__isnull=True,
            starts_at__gte=timezone.now(),
        )
        .select_related("programme")
        .order_by("starts_at")
        .first()
    )
    return upcoming.programme if upcoming is not None else None


def enrolment_from_referral(
    *, actor: Membership, referral: Referral, request: HttpRequest | None = None
) -> Enrolment | None:
    """On accepting a referral to a service delivered in sessions, enrol the person directly,
    in its next programme where it runs one: the partner takes registers without a case. The
    accept has already checked the actor may decide the referral. A suitability restriction
    the enrolment would break refuses the accept with it."""
    service = referral.service
    if not is_session_service(service):
        return None
    live = Enrolment.objects.filter(
        person_id=referral.person_id, service=service, state=EnrolmentState.ENROLLED
    ).first()
    if live is not None:
        return live
    return _enrol(
        actor=actor,
        person=referral.person,
        service=service,
        programme=_next_programme(service),
        referral=referral,
        reason="",
        suitability_confirmation="",
        request=request,
    )


def _enrolment_event(enrolment: Enrolment, before: dict, reason: str = "") -> EventData:
    return EventData(
        action=AuditAction.STATE_CHANGE,
        object_type=ENROLMENT,
        object_id=str(enrolment.pk),
        person_id=enrolment.person_id,
        category=Category.CASE_NOTES,
        reason=reason[:1000],
        changes=diff(before, _enrolment_values(enrolment)),
    )


def _enrolment_values(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "state": enrolment.state,
        "completed_on": enrolment.completed_on,
        "award_achieved_on": enrolment.award_achieved_on,
        "withdrawn_on": enrolment.withdrawn_on,
    }


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("service__organisation", "programme", "person")
        .get(pk=enrolment.pk)
    )


def _stop_working(
    actor: Membership, enrolment: Enrolment, what: str, request: HttpRequest | None
) -> None:
    """The organisation's work with the person ends with the enrolment, unless something else
    (a case, a referral it is working on, another enrolment) still holds it."""
    working_relationship_end(
        actor=actor,
        person_id=enrolment.person_id,
        organisation=enrolment.service.organisation,
        reason=f"Enrolment {enrolment.pk} {what}",
        request=request,
    )


@ACTIONS.service("complete")
@transaction.atomic
def enrolment_complete(
    *,
    actor: Membership,
    enrolment: Enrolment,
    completed_on: date | None = None,
    award_achieved_on: date | None = None,
    request: HttpRequest | None = None,
) -> Enrolment:
    """The coordinator confirms the person completed, with the date of any award. The work
    with them goes on (an award to follow, their feedback) until it ends elsewhere."""
    ACTIONS.begin("complete", actor, enrolment)
    current = _locked_enrolment(enrolment)
    ACTIONS.check_state("complete", current.state, current)
    today = timezone.localdate()
    completed_on = completed_on or today
    errors: dict[str, str] = {}
    if completed_on > today or completed_on < current.enrolled_on:
        errors["completed_on"] = "The completion date must be between enrolling and today"
    if award_achieved_on is not None:
        if current.programme is None or not current.programme.award_name:
            errors["award_achieved_on"] = "This programme has no award"
        elif award_achieved_on > today or award_achieved_on < current.enrolled_on:
            errors["award_achieved_on"] = "The award date must be between enrolling and today"
    if errors:
        raise ValidationError(errors)
    before = _enrolment_values(current)
    current.state = EnrolmentState.COMPLETED
    current.completed_on = completed_on
    current.award_achieved_on = award_achieved_on
    current.completion_confirmed_by = actor.user
    current.full_clean()
    current.save()
    record_events(actor=actor, request=request, events=[_enrolment_event(current, before)])
    return current


@ACTIONS.service("withdraw")
@transaction.atomic
def enrolment_withdraw(
    *, actor: Membership, enrolment: Enrolment, reason: str, request: HttpRequest | None = None
) -> Enrolment:
    """The person leaves the service's sessions; their marks stay."""
    ACTIONS.begin("withdraw", actor, enrolment, reason=reason)
    current = _locked_enrolment(enrolment)
    ACTIONS.check_state("withdraw", current.state, current)
    before = _enrolment_values(current)
    current.state = EnrolmentState.WITHDRAWN
    current.withdrawn_on = timezone.localdate()
    current.withdraw_reason = reason.strip()
    current.full_clean()
    current.save()
    record_events(actor=actor, request=request, events=[_enrolment_event(current, before, reason)])
    _stop_working(actor, current, "withdrawn", request)
    return current


@transaction.atomic
def enrolment_feedback_record(
    *,
    actor: Membership,
    enrolment: Enrolment,
    rating: int | None,
    feedback: str,
    request: HttpRequest | None = None,
) -> Enrolment:
    """The participant's short feedback at the end, taken down by the staff running it."""
    if not policy.can_manage_enrolment(actor, enrolment):
        raise PermissionDenied("Only the organisation running the service can record feedback.")
    current = _locked_enrolment(enrolment)
    current.feedback_rating = rating
    current.feedback = (feedback or "").strip()
    current.full_clean()
    current.save(update_fields=["feedback_rating", "feedback", "updated_at"])
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.UPDATE,
                object_type=ENROLMENT,
                object_id=str(current.pk),
                person_id=current.person_id,
                category=Category.CASE_NOTES,
                changes={"feedback": [None, "recorded"]},
            )
        ],
    )
    return current


# Registers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One mark as a device sent it."""

    key: str
    person_id: Any
    status: str
    # For someone not enrolled who came to an open session: why they are enrolling now.
    enrol_reason: str = ""
    # For a mark that takes the session over its capacity.
    over_capacity_reason: str = ""


@dataclass(frozen=True)
class MarkResult:
    key: str
    attendance: Attendance
    # False when the key was taken before: the register was sent again.
    new: bool


def _check_mark(mark: Mark) -> None:
    errors: dict[str, str] = {}
    if not mark.key or len(mark.key) > KEY_LENGTH:
        errors["key"] = "Each mark needs a key of up to 100 characters"
    if mark.status not in AttendanceStatus.values:
        errors["status"] = "Choose a mark: " + ", ".join(AttendanceStatus.values)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def attendance_mark(
    *,
    actor: Membership,
    session: Session,
    marks: Sequence[Mark],
    request: HttpRequest | None = None,
) -> list[MarkResult]:
    """Take marks for one session's register, all or none. A key taken before is answered as
    it was and changes nothing (a phone that was offline sending again). A person must be
    enrolled in the service, or, at an open session, is enrolled now with the reason given; a
    mark taking the session over its capacity needs a reason."""
    if not policy.can_take_register(actor, session):
        raise PermissionDenied(NOT_YOURS)
    current = _locked_session(session)
    if current.cancelled:
        raise ApplicationError(CANCELLED)
    for mark in marks:
        _check_mark(mark)
    keys = [m.key for m in marks]
    if len(set(keys)) != len(keys):
        raise ValidationError({"key": "Each mark needs a key of its own"})
    taken = {
        r.key: r for r in MarkReceipt.objects.filter(key__in=keys).select_related("attendance")
    }
    rows = {a.person_id: a for a in Attendance.objects.filter(session=current)}
    on_register = set(
        Enrolment.objects.filter(service_id=current.service_id, state__in=ON_REGISTER).values_list(
            "person_id", flat=True
        )
    )
    wanted = [pk for pk in (_as_uuid(m.person_id) for m in marks) if pk is not None]
    people = {p.pk: p for p in policy.people_visible_to(actor).filter(pk__in=wanted)}
    present = sum(1 for a in rows.values() if a.present)
    results: list[MarkResult] = []
    events: list[EventData] = []
    for mark in marks:
        receipt = taken.get(mark.key)
        if receipt is not None:
            if receipt.attendance.session_id != current.pk or str(
                receipt.attendance.person_id
            ) != str(mark.person_id):
                raise ValidationError({"key": f"The key {mark.key} was used for another mark"})
            results.append(MarkResult(key=mark.key, attendance=receipt.attendance, new=False))
            continue
        person_id = _as_uuid(mark.person_id)
        person = people.get(person_id) if person_id is not None else None
        if person is None:
            raise ValidationError({"person": f"There is no such person: {mark.person_id}"})
        if person.pk not in on_register:
            if not (current.open and mark.enrol_reason.strip()):
                raise ApplicationError(
                    f"{person.full_name} is not enrolled in {current.service.name}. "
                    + (
                        "Enrol them first, or give a reason to enrol them now."
                        if current.open
                        else "Only enrolled people can be marked on this session's register."
                    )
                )
            if not policy.can_enrol(actor, current.service):
                raise PermissionDenied("Only the coordinators and caseworkers can enrol people.")
            _enrol(
                actor=actor,
                person=person,
                service=current.service,
                programme=current.programme,
                referral=None,
                reason=mark.enrol_reason,
                suitability_confirmation="",
                request=request,
            )
            on_register.add(person.pk)
        row = rows.get(person.pk)
        was_present = row is not None and row.present
        if mark.status in PRESENT and not was_present:
            present += 1
            full = current.capacity is not None and present > current.capacity
            if full and not mark.over_capacity_reason.strip():
                raise ApplicationError(
                    f"This session is full ({current.capacity} places). Give a reason to "
                    f"mark {person.full_name} as there over capacity."
                )
        elif was_present and mark.status not in PRESENT:
            present -= 1
        before = {"status": row.status} if row is not None else {}
        if row is None:
            row = Attendance(session=current, person=person)
        row.status = mark.status
        row.recorded_by = actor.user
        if mark.over_capacity_reason.strip():
            row.over_capacity_reason = mark.over_capacity_reason.strip()
        row.full_clean(validate_constraints=False)
        row.save()
        rows[person.pk] = row
        MarkReceipt.objects.create(key=mark.key, attendance=row, status=mark.status)
        events.append(
            EventData(
                action=AuditAction.UPDATE if before else AuditAction.CREATE,
                object_type=ATTENDANCE,
                object_id=str(row.pk),
                person_id=person.pk,
                category=Category.CASE_NOTES,
                reason=row.over_capacity_reason,
                changes=diff(before, {"status": row.status, "session": current.pk}),
            )
        )
        results.append(MarkResult(key=mark.key, attendance=row, new=True))
    record_events(actor=actor, request=request, events=events)
    return results


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# Session notes ----------------------------------------------------------------------------------


def _referral_to_tell(session: Session, person: Person) -> Referral | None:
    enrolment = (
        Enrolment.objects.filter(
            person=person, service_id=session.service_id, referral__isnull=False
        )
        .select_related("referral__referred_by")
        .order_by("-enrolled_on")
        .first()
    )
    if enrolment is not None:
        return enrolment.referral
    return (
        Referral.objects.filter(person=person, service_id=session.service_id)
        .select_related("referred_by")
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def session_note_record(
    *,
    actor: Membership,
    session: Session,
    person: Person,
    text: str,
    concern: bool = False,
    notify_referrer: bool = False,
    request: HttpRequest | None = None,
) -> SessionNote:
    """A leader's note about an attendee after the session: behaviour, or a concern. With
    `notify_referrer`, whoever referred them is told (and may read it)."""
    if not policy.can_take_register(actor, session):
        raise PermissionDenied(NOT_YOURS)
    on_register = Attendance.objects.filter(session=session, person=person).exists() or (
        Enrolment.objects.filter(person=person, service_id=session.service_id).exists()
    )
    if not on_register:
        raise ValidationError({"person": "Choose someone on this session's register"})
    referral = _referral_to_tell(session, person) if notify_referrer else None
    if notify_referrer and (referral is None or referral.referred_by is None):
        raise ValidationError(
            {"notify_referrer": "Nobody referred them to this service, so there is no one to tell"}
        )
    note = SessionNote(
        session=session,
        person=person,
        organisation=actor.organisation,
        author=actor.user,
        text=(text or "").strip(),
        concern=concern,
        notify_referrer=notify_referrer,
        referral=referral,
    )
    note.full_clean()
    note.save()
    record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.CREATE,
                object_type=SESSION_NOTE,
                object_id=str(note.pk),
                person_id=person.pk,
                category=Category.CASE_NOTES,
                changes=diff({}, {"concern": concern, "notify_referrer": notify_referrer}),
            )
        ],
    )
    if referral is not None and referral.referred_by is not None:
        kind = "A concern" if concern else "A note"
        notify(
            recipients=[referral.referred_by],
            organisation=actor.organisation,
            subject=f"{kind} from {session.service.name}",
            body=f"{actor.organisation.name} noted after the {session.service.name} session on "
            f"{timezone.localtime(session.starts_at):%-d %B %Y} about {person.full_name}: "
            f"{note.text}",
            link=reverse("referrals:detail", args=[referral.pk]),
            email_body=f"{actor.organisation.name} recorded {kind.lower()} about someone you "
            "referred. Sign in to Resettle to read it.",
        )
    return note


@transaction.atomic
def session_sign_up(
    *,
    actor: Membership,
    session: Session,
    given_name: str,
    family_name: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Attendance:
    """Someone new turned up to an open session and wants to come back: add them, enrol them
    with the reason, and mark them there, in one step."""
    if not policy.can_take_register(actor, session):
        raise PermissionDenied(NOT_YOURS)
    if not policy.can_enrol(actor, session.service):
        raise PermissionDenied("Only the coordinators and caseworkers can enrol people.")
    if not session.open:
        raise ApplicationError("Only an open session signs up people who turn up.")
    if session.cancelled:
        raise ApplicationError(CANCELLED)
    person = person_create(actor=actor, data={"given_name": given_name, "family_name": family_name})
    [result] = attendance_mark(
        actor=actor,
        session=session,
        marks=[
            Mark(
                key=f"sign-up:{person.pk}",
                person_id=person.pk,
                status=AttendanceStatus.ATTENDED,
                enrol_reason=reason,
            )
        ],
        request=request,
    )
    return result.attendance
