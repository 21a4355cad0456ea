"""Shared setup for the register tests: the football trust's weekly Tuesday session with an
8-week course (at least 7 of 8, with an award), a session today, and people enrolled in it."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.directory.models import Access, Schedule, Service
from resettle.registers.models import CompletionRule, Enrolment, Programme, Session


@pytest.fixture
def sharing_terms() -> dict:
    """Case notes, risk and suitability shared with probation and sport trusts (a public task)."""
    return {
        "categories": [Category.CASE_NOTES, Category.RISK_SUITABILITY],
        "kinds": [OrganisationKind.PROBATION, OrganisationKind.SPORT_TRUST],
    }


@pytest.fixture
def service(cast) -> Service:
    service = Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday football",
        description="A coached session for adults.",
        access=Access.BOTH,
        pathways=["sport"],
        capacity=20,
    )
    Schedule.objects.create(
        service=service,
        valid_from=timezone.localdate() - timedelta(days=200),
        opens_at=time(18, 0),
        closes_at=time(19, 30),
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )
    return service


@pytest.fixture
def programme(service) -> Programme:
    return Programme.objects.create(
        service=service,
        name="Fit for work",
        sessions_planned=8,
        completion_rule=CompletionRule.AT_LEAST,
        minimum_attended=7,
        award_name="Certificate in sport leadership",
        awarding_body="OCN",
        award_level="Level 2",
    )


def make_session(service, *, days_from_now: int = 0, programme=None, number=None, **fields):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days_from_now)
    return Session.objects.create(
        service=service,
        programme=programme,
        programme_session=number,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=fields.pop("capacity", 20),
        open=fields.pop("open", True),
        **fields,
    )


@pytest.fixture
def today_session(service) -> Session:
    return make_session(service)


def enrol(cast, person, service, programme=None) -> Enrolment:
    return Enrolment.objects.create(
        person=person,
        service=service,
        programme=programme,
        enrolled_on=timezone.localdate() - timedelta(days=70),
        reason="Came to an open session",
        enrolled_by=cast.coordinator.user,
    )


@pytest.fixture
def enrolled(cast, make_person, service, agreement):
    """Someone probation supervises and the football trust works with, enrolled."""
    person = make_person(cast.probation, cast.coordinator, given_name="Sam", family_name="Okafor")
    enrol(cast, person, service)
    return person
