"""Shared setup for appointment tests: a person the lead charity and the mentoring charity
work with, each with a live case (the mentor's allocated to the mentor)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from resettle.accounts.models import Membership
from resettle.appointments.models import (
    MODE_OF_KIND,
    Appointment,
    AppointmentKind,
    AppointmentState,
)
from resettle.cases.models import Case
from resettle.contacts.tests.conftest import open_case


@pytest.fixture
def person(cast, make_person):
    return make_person(cast.caseworker, cast.mentor, given_name="Sam", family_name="Okafor")


@pytest.fixture
def case(cast, person) -> Case:
    return open_case(cast.caseworker, person, worker=cast.caseworker.user)


@pytest.fixture
def mentor_case(cast, person) -> Case:
    return open_case(cast.mentor, person, mentor=cast.mentor.user)


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def booked(
    actor: Membership,
    case: Case,
    starts_at: datetime,
    *,
    kind: str = AppointmentKind.FACE_TO_FACE,
    minutes: int = 60,
    place: str = "New Leaf office, 3 High Street",
) -> Appointment:
    """An appointment made directly: for one whose time has passed, which booking refuses."""
    return Appointment.objects.create(
        person=case.person,
        case=case,
        organisation=case.organisation,
        with_user=actor.user,
        booked_by=actor.user,
        kind=kind,
        mode=MODE_OF_KIND[AppointmentKind(kind)],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        place=place,
        state=AppointmentState.BOOKED,
    )
