"""The register rules: who sees a session and takes its register, and who reads enrolments,
marks and notes (the delivering organisation; a referrer under the agreement)."""

import pytest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind, Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.people.models import WorkingRelationship
from resettle.referrals.tests.conftest import refer
from resettle.registers import services
from resettle.registers.models import Attendance, Enrolment
from resettle.registers.tests.conftest import make_session

pytestmark = pytest.mark.django_db


def test_the_trusts_staff_see_its_sessions_and_nobody_elses(cast, today_session):
    assert policy.sessions_visible_to(cast.coordinator).get() == today_session
    for other in (cast.caseworker, cast.probation, cast.mentor, cast.outsider, None):
        assert not policy.sessions_visible_to(other).exists()


def test_a_session_leader_from_the_trust_takes_its_register(cast, service):
    coach = make_membership(
        user=make_user(), organisation=cast.football_trust, role=Role.PEER_MENTOR
    )
    led, other = make_session(service), make_session(service, days_from_now=1)
    led.leaders.add(coach.user)
    assert list(policy.sessions_visible_to(coach)) == [led]
    assert policy.can_take_register(coach, led)
    assert not policy.can_take_register(coach, other)
    assert not policy.can_plan_sessions(coach, service)


def test_the_referrer_reads_enrolment_and_marks_only_with_case_notes_shared(
    cast, service, today_session, enrolled, share
):
    referral = refer(cast.probation, enrolled, service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    Attendance.objects.create(session=today_session, person=enrolled, status="attended")
    assert policy.enrolments_visible_to(cast.probation).count() == 1
    assert policy.attendance_visible_to(cast.probation).count() == 1
    # The prison team works with them too, but referred nobody to the service.
    WorkingRelationship.objects.create(
        person=enrolled, organisation=cast.prison_team, started_on=today_session.starts_at.date()
    )
    assert not policy.enrolments_visible_to(cast.prison).exists()
    assert not policy.attendance_visible_to(cast.prison).exists()


def test_without_case_notes_shared_the_referrer_reads_no_marks(
    cast, make_person, service, today_session, share
):
    share(categories=[Category.RISK_SUITABILITY], kinds=[OrganisationKind.PROBATION])
    person = make_person(cast.probation, cast.coordinator, given_name="Lou")
    referral = refer(cast.probation, person, service)
    Enrolment.objects.create(
        person=person, service=service, referral=referral, enrolled_on=referral.created_at.date()
    )
    Attendance.objects.create(session=today_session, person=person, status="late")
    assert not policy.attendance_visible_to(cast.probation).exists()
    assert policy.attendance_visible_to(cast.coordinator).count() == 1


def test_a_note_reaches_the_referrers_organisation_only_when_they_were_told(
    cast, service, today_session, enrolled
):
    referral = refer(cast.probation, enrolled, service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    for tell in (True, False):
        services.session_note_record(
            actor=cast.coordinator,
            session=today_session,
            person=enrolled,
            text="Note",
            notify_referrer=tell,
        )
    assert policy.session_notes_visible_to(cast.coordinator).count() == 2
    assert [n.notify_referrer for n in policy.session_notes_visible_to(cast.probation)] == [True]
