from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from resettle.audit.models import AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.notifications.models import Notification
from resettle.referrals import services as referral_services
from resettle.referrals.tests.conftest import refer
from resettle.registers import selectors, services
from resettle.registers.models import (
    Attendance,
    CompletionRule,
    Enrolment,
    EnrolmentState,
    Programme,
    Session,
)
from resettle.registers.services import Mark
from resettle.registers.tests.conftest import enrol, make_session
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.django_db


def mark(person, status="attended", key=None, **extra) -> Mark:
    return Mark(key=key or f"{person.pk}-{status}", person_id=person.pk, status=status, **extra)


# Generating sessions ------------------------------------------------------------------------


def test_generating_makes_each_weekly_occurrence_once(cast, service):
    made = services.sessions_generate(actor=cast.coordinator, service=service, weeks=4)
    assert len(made) == 4
    assert all(timezone.localtime(s.starts_at).weekday() == 1 for s in made)
    assert services.sessions_generate(actor=cast.coordinator, service=service, weeks=4) == []
    more = services.sessions_generate(actor=cast.coordinator, service=service, weeks=6)
    assert len(more) == 2
    assert Session.objects.filter(service=service).count() == 6


def test_generating_keeps_a_moved_occurrence_and_makes_no_second(cast, service):
    first = services.sessions_generate(actor=cast.coordinator, service=service, weeks=2)[0]
    services.session_move(
        actor=cast.coordinator,
        session=first,
        starts_at=first.starts_at + timedelta(days=1),
        ends_at=first.ends_at + timedelta(days=1),
    )
    assert services.sessions_generate(actor=cast.coordinator, service=service, weeks=2) == []


def test_only_the_services_planners_generate(cast, service):
    with pytest.raises(PermissionDenied):
        services.sessions_generate(actor=cast.caseworker, service=service)
    with pytest.raises(ValidationError):
        services.sessions_generate(actor=cast.coordinator, service=service, weeks=0)


def test_cancelling_tells_the_workers_of_people_booked(cast, service, enrolled, agreement):
    referral = refer(cast.probation, enrolled, service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    session = make_session(service, days_from_now=2)
    services.session_cancel(actor=cast.coordinator, session=session, reason="Pitch waterlogged")
    told = Notification.objects.filter(recipient=cast.probation.user, subject__contains="cancel")
    assert told.exists()
    with pytest.raises(ApplicationError):
        services.session_cancel(actor=cast.coordinator, session=session, reason="Again")


# Registers ----------------------------------------------------------------------------------


def test_a_register_sent_twice_counts_once(cast, today_session, enrolled):
    first = services.attendance_mark(
        actor=cast.coordinator, session=today_session, marks=[mark(enrolled, key="k1")]
    )
    again = services.attendance_mark(
        actor=cast.coordinator, session=today_session, marks=[mark(enrolled, key="k1")]
    )
    assert [r.new for r in first] == [True] and [r.new for r in again] == [False]
    assert Attendance.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="attendance").count() == 1


def test_a_later_mark_changes_the_one_row_and_the_audit_keeps_both(cast, today_session, enrolled):
    services.attendance_mark(
        actor=cast.coordinator, session=today_session, marks=[mark(enrolled, key="a")]
    )
    services.attendance_mark(
        actor=cast.coordinator, session=today_session, marks=[mark(enrolled, "late", key="b")]
    )
    assert Attendance.objects.get().status == "late"
    assert AuditEvent.objects.filter(object_type="attendance").count() == 2


def test_marks_on_a_cancelled_session_are_refused(cast, today_session, enrolled):
    services.session_cancel(actor=cast.coordinator, session=today_session, reason="Storm")
    with pytest.raises(ApplicationError, match="cancelled"):
        services.attendance_mark(
            actor=cast.coordinator, session=today_session, marks=[mark(enrolled)]
        )
    assert not Attendance.objects.exists()


def test_someone_not_enrolled_is_refused_unless_an_open_session_enrols_them(
    cast, service, make_person, agreement
):
    walk_in = make_person(cast.coordinator, given_name="Lee", family_name="Walker")
    registered = make_session(service, open=False)
    with pytest.raises(ApplicationError, match="not enrolled"):
        services.attendance_mark(actor=cast.coordinator, session=registered, marks=[mark(walk_in)])
    open_session = make_session(service, days_from_now=1)
    with pytest.raises(ApplicationError, match="give a reason"):
        services.attendance_mark(
            actor=cast.coordinator, session=open_session, marks=[mark(walk_in)]
        )
    services.attendance_mark(
        actor=cast.coordinator,
        session=open_session,
        marks=[mark(walk_in, enrol_reason="Turned up and wants to come every week")],
    )
    enrolment = Enrolment.objects.get(person=walk_in)
    assert enrolment.referral is None and "every week" in enrolment.reason


def test_over_capacity_warns_and_allows_with_a_reason(cast, service, make_person, agreement):
    session = make_session(service, capacity=1)
    people = [make_person(cast.coordinator, given_name=n) for n in ("Ana", "Ben")]
    for person in people:
        enrol(cast, person, service)
    services.attendance_mark(actor=cast.coordinator, session=session, marks=[mark(people[0])])
    with pytest.raises(ApplicationError, match="full"):
        services.attendance_mark(actor=cast.coordinator, session=session, marks=[mark(people[1])])
    services.attendance_mark(
        actor=cast.coordinator,
        session=session,
        marks=[mark(people[1], over_capacity_reason="A coach stepped in")],
    )
    assert Attendance.objects.filter(session=session).count() == 2


def test_another_organisation_cannot_take_the_register(cast, today_session, enrolled):
    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            actor=cast.caseworker, session=today_session, marks=[mark(enrolled)]
        )


def test_headcount_is_for_open_sessions_and_never_people(cast, service, today_session):
    services.session_headcount_set(actor=cast.coordinator, session=today_session, headcount=3)
    today_session.refresh_from_db()
    assert today_session.unregistered_headcount == 3
    closed = make_session(service, open=False)
    with pytest.raises(ApplicationError):
        services.session_headcount_set(actor=cast.coordinator, session=closed, headcount=2)


# Enrolment ----------------------------------------------------------------------------------


def test_accepting_a_referral_to_a_session_service_enrols_without_a_case(
    cast, service, programme, make_person, agreement
):
    make_session(service, days_from_now=3, programme=programme, number=1)
    person = make_person(cast.probation, given_name="Kai")
    referral = refer(cast.probation, person, service)
    referral_services.referral_accept(actor=cast.coordinator, referral=referral)
    enrolment = Enrolment.objects.get(person=person)
    assert enrolment.referral == referral and enrolment.programme == programme
    assert not person.cases.exists()


def test_an_enrolment_breaking_a_suitability_restriction_is_refused(
    cast, service, make_person, agreement
):
    make_session(service, days_from_now=3, under_18s_present=True)
    person = make_person(cast.probation, cast.coordinator, given_name="Rob")
    record(cast.probation, person, sessions_with_under_18s_present="no")
    with pytest.raises(services.SuitabilityRefusal, match="under-18s"):
        services.enrolment_create(
            actor=cast.coordinator, person=person, service=service, reason="Asked to join"
        )
    referral = refer(cast.probation, person, service)
    with pytest.raises(services.SuitabilityRefusal):
        referral_services.referral_accept(actor=cast.coordinator, referral=referral)
    assert not Enrolment.objects.filter(person=person).exists()


def test_the_assessors_organisation_may_confirm_a_restricted_enrolment(
    cast, service, make_person, agreement
):
    make_session(service, days_from_now=3, under_18s_present=True)
    person = make_person(cast.coordinator, given_name="Rob")
    # The football trust assessed them itself: it may confirm, saying why.
    assessment = record(cast.probation, make_person(cast.probation), two_staff_needed="no")
    assessment.person = person
    assessment.assessor_organisation = cast.football_trust
    assessment.sessions_with_under_18s_present = "no"
    assessment.save()
    with pytest.raises(ValidationError):
        services.enrolment_create(
            actor=cast.coordinator, person=person, service=service, reason="Asked"
        )
    enrolment = services.enrolment_create(
        actor=cast.coordinator,
        person=person,
        service=service,
        reason="Asked",
        suitability_confirmation="Under-18s only at the far pitch; two coaches with him",
    )
    assert enrolment.suitability_confirmed_by == cast.coordinator.user


# Programmes and completion ------------------------------------------------------------------


def test_seven_of_eight_completes_an_at_least_seven_programme(cast, service, programme, enrolled):
    enrolment = Enrolment.objects.get(person=enrolled)
    enrolment.programme = programme
    enrolment.save()
    for number in range(1, 9):
        session = make_session(
            service, days_from_now=-7 * (9 - number), programme=programme, number=number
        )
        status = "did_not_attend" if number == 4 else "attended"
        services.attendance_mark(
            actor=cast.coordinator,
            session=session,
            marks=[mark(enrolled, status, key=f"w{number}")],
        )
    [progress] = selectors.programme_progress(actor=cast.coordinator, programme=programme)
    assert progress.attended == 7 and progress.complete
    done = services.enrolment_complete(
        actor=cast.coordinator,
        enrolment=enrolment,
        award_achieved_on=timezone.localdate(),
    )
    assert done.state == EnrolmentState.COMPLETED and done.award_achieved_on


def test_six_of_eight_does_not_complete(cast, service, programme, enrolled):
    Enrolment.objects.filter(person=enrolled).update(programme=programme)
    for number in range(1, 7):
        session = make_session(
            service, days_from_now=-7 * (9 - number), programme=programme, number=number
        )
        services.attendance_mark(
            actor=cast.coordinator, session=session, marks=[mark(enrolled, key=f"w{number}")]
        )
    [progress] = selectors.programme_progress(actor=cast.coordinator, programme=programme)
    assert progress.attended == 6 and not progress.complete


def test_only_the_coordinator_confirms_completion(cast, service, enrolled, make_person):
    enrolment = Enrolment.objects.get(person=enrolled)
    with pytest.raises(PermissionDenied):
        services.enrolment_complete(actor=cast.caseworker, enrolment=enrolment)


# Session notes ------------------------------------------------------------------------------


def test_a_concern_notifies_the_referrer(cast, service, today_session, enrolled):
    referral = refer(cast.probation, enrolled, service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    note = services.session_note_record(
        actor=cast.coordinator,
        session=today_session,
        person=enrolled,
        text="Argued with another player and left.",
        concern=True,
        notify_referrer=True,
    )
    assert note.referral == referral
    told = Notification.objects.get(recipient=cast.probation.user, subject__startswith="A concern")
    assert "Argued" in told.body


def test_a_note_cannot_tell_a_referrer_when_there_is_none(cast, today_session, enrolled):
    with pytest.raises(ValidationError):
        services.session_note_record(
            actor=cast.coordinator,
            session=today_session,
            person=enrolled,
            text="Good effort.",
            notify_referrer=True,
        )


# Counting -----------------------------------------------------------------------------------


def test_an_attended_session_counts_as_an_attended_contact_and_headcounts_stay_apart(
    cast, service, today_session, enrolled
):
    services.attendance_mark(actor=cast.coordinator, session=today_session, marks=[mark(enrolled)])
    services.session_headcount_set(actor=cast.coordinator, session=today_session, headcount=3)
    today = timezone.localdate()
    counts = selectors.attendance_counts(
        actor=cast.coordinator, start=today, end=today + timedelta(days=1)
    )
    assert counts.people_supported == 1
    assert counts.new_starts == 1
    assert counts.contacts_attended == 1
    assert counts.unregistered_headcount == 3


def test_the_command_generates_every_services_sessions_once(service):
    out = StringIO()
    call_command("generate_sessions", "--weeks", "3", stdout=out)
    call_command("generate_sessions", "--weeks", "3", stdout=out)
    assert out.getvalue().splitlines() == ["3 new sessions", "0 new sessions"]


def test_a_core_sessions_programme_needs_every_core_session(cast, service, enrolled):
    programme = Programme.objects.create(
        service=service,
        name="Core course",
        sessions_planned=4,
        completion_rule=CompletionRule.CORE_SESSIONS,
        core_sessions=[1, 4],
    )
    Enrolment.objects.filter(person=enrolled).update(programme=programme)
    weeks = [
        make_session(service, days_from_now=-7 * (5 - n), programme=programme, number=n)
        for n in range(1, 5)
    ]
    for session in weeks[:3]:
        services.attendance_mark(
            actor=cast.coordinator, session=session, marks=[mark(enrolled, key=str(session.pk))]
        )
    [progress] = selectors.programme_progress(actor=cast.coordinator, programme=programme)
    assert progress.attended == 3 and not progress.complete
    services.attendance_mark(
        actor=cast.coordinator, session=weeks[3], marks=[mark(enrolled, key="last")]
    )
    [progress] = selectors.programme_progress(actor=cast.coordinator, programme=programme)
    assert progress.complete


def test_moving_a_session_tells_the_workers_and_keeps_where_it_was(
    cast, service, enrolled, agreement
):
    referral = refer(cast.probation, enrolled, service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    session = make_session(service, days_from_now=2)
    was = session.starts_at
    moved = services.session_move(
        actor=cast.coordinator,
        session=session,
        starts_at=was + timedelta(days=1),
        ends_at=session.ends_at + timedelta(days=1),
        reason="Pitch booked for a cup match",
    )
    assert moved.moved_from == was
    assert Notification.objects.filter(recipient=cast.probation.user, subject__contains="moved")
