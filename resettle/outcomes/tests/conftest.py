"""Shared setup for outcome tests: a person the lead charity works with, on a case opened six
months ago, and helpers to record assessments on it."""

from datetime import date, timedelta
from typing import Any

import pytest

from resettle.accounts.models import Membership
from resettle.cases.models import Case, CaseState, CloseReason
from resettle.contacts.tests.conftest import open_case
from resettle.outcomes import services
from resettle.outcomes.models import AnsweredBy, Assessment, Instrument, Timepoint
from resettle.people.models import Person

ONS4_ANSWERS = {"life_satisfaction": 4, "worthwhile": 5, "happiness": 3, "anxiety": 7}


def instrument(code: str) -> Instrument:
    return Instrument.objects.filter(code=code).order_by("-version").first()  # type: ignore[return-value]


def days(n: int) -> date:
    return date.today() - timedelta(days=n)


def record(
    actor: Membership,
    person: Person,
    *,
    case: Case | None,
    code: str = "ons4",
    timepoint: str = Timepoint.BASELINE,
    on: date | None = None,
    answers: dict[str, Any] | None = None,
) -> Assessment:
    return services.assessment_record(
        actor=actor,
        person=person,
        case=case,
        instrument=instrument(code),
        timepoint=timepoint,
        completed_on=on or date.today(),
        answered_by=AnsweredBy.PERSON,
        answers=answers if answers is not None else dict(ONS4_ANSWERS),
    )


def close(case: Case, on: date) -> Case:
    """Closed directly (the cases app owns the close flow): the working relationship stays."""
    case.state, case.closed_on, case.close_reason = CaseState.CLOSED, on, CloseReason.GOALS_MET
    case.save()
    return case


@pytest.fixture
def person(cast, make_person):
    return make_person(cast.caseworker, cast.mentor, given_name="Sam", family_name="Okafor")


@pytest.fixture
def case(cast, person) -> Case:
    return open_case(cast.caseworker, person, days_ago=200, worker=cast.caseworker.user)
