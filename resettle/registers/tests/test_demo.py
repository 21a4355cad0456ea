"""The demo's sessions and registers: six months of each trust's weekly sessions with marks,
drop-offs and headcounts, and an eight-week course most of its cohort completes with an award."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from resettle.accounts.models import Membership
from resettle.demo.generator import delete_demo, generate
from resettle.registers import selectors
from resettle.registers.models import Attendance, Enrolment, Programme, Session

pytestmark = pytest.mark.django_db

TODAY = date.today()


def test_the_trusts_have_six_months_of_registers_and_a_completed_course():
    generate(80, 3, TODAY, password="a-demo-password")
    sessions = Session.objects.filter(service__organisation__kind="sport_trust")
    oldest = sessions.order_by("starts_at").first()
    assert oldest is not None
    assert timezone.localdate(oldest.starts_at) <= TODAY - timedelta(weeks=25)
    assert sessions.values("service__organisation").distinct().count() == 3
    assert sessions.filter(unregistered_headcount__gt=0).exists()
    assert sessions.filter(cancelled_at__isnull=False).exists()
    assert Attendance.objects.filter(session__in=sessions).count() > 50
    assert Enrolment.objects.filter(state="withdrawn").exists()
    awarded = Enrolment.objects.filter(state="completed", award_achieved_on__isnull=False)
    assert awarded.exists()
    programme = Programme.objects.filter(award_name__gt="").first()
    assert programme is not None and programme.sessions.count() == 8


def test_the_coordinator_has_a_session_today_and_sees_the_cohorts_progress():
    generate(80, 3, TODAY, password="a-demo-password")
    coordinator = Membership.objects.get(user__username="coordinator")
    today = selectors.session_list(actor=coordinator, on=TODAY)
    assert today.exists()
    programme = Programme.objects.get(service__organisation=coordinator.organisation)
    progress = selectors.programme_progress(actor=coordinator, programme=programme)
    assert any(p.complete and p.enrolment.award_achieved_on for p in progress)


def test_the_same_seed_gives_the_same_registers():
    generate(40, 5, TODAY, password="a-demo-password")
    first = sorted(Attendance.objects.values_list("pk", "status"))
    delete_demo()
    generate(40, 5, TODAY, password="a-demo-password")
    assert sorted(Attendance.objects.values_list("pk", "status")) == first
