"""Shared setup for evaluation tests: the partnership's offence agreement with probation and
the prison, an agreement permitting the JDL file and an extract for a named evaluator, and
people the lead charity supported in a date range."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.cases.models import Case
from resettle.custody.models import CustodyEvent, CustodyEventKind, CustodyKind, CustodyPeriod
from resettle.evaluation.models import Cohort
from resettle.partnerships.models import PermittedExport, SharingAgreement
from resettle.people import choices
from resettle.people.models import Address, Person

EVALUATOR = "Northshire University"
START = date.today() - timedelta(days=300)
END = date.today() - timedelta(days=10)


@pytest.fixture
def offence_agreement(share) -> SharingAgreement:
    return share(
        categories=[Category.OFFENCE, Category.CUSTODY, Category.CRIMINAL_JUSTICE_IDS],
        kinds=[OrganisationKind.PROBATION, OrganisationKind.PRISON],
        title="Statutory sharing",
    )


@pytest.fixture
def export_agreement(share) -> SharingAgreement:
    agreement = share(
        categories=[Category.OUTCOMES], kinds=[OrganisationKind.LEAD_CHARITY], title="Evaluation"
    )
    agreement.permitted_exports = [
        PermittedExport.JUSTICE_DATA_LAB,
        PermittedExport.EVALUATOR_EXTRACT,
    ]
    agreement.evaluator = EVALUATOR
    agreement.full_clean(exclude=["created_by"])
    agreement.save()
    return agreement


@pytest.fixture
def supported(cast, make_person) -> Callable[..., Person]:
    """`supported(days_in=30, **person_fields)`: someone the lead charity opened a case for
    `days_in` days after the cohort range starts, born in 1990 and male unless told otherwise."""

    def make(*, days_in: int = 30, postcode: str = "NV1 2AB", **fields) -> Person:
        fields.setdefault("date_of_birth", date(1990, 5, 17))
        fields.setdefault("sex", choices.Sex.MALE)
        fields.setdefault("ethnicity", "white_british")
        person = make_person(cast.caseworker, started_on=START, **fields)
        Case.objects.create(
            person=person, organisation=cast.lead_charity, opened_on=START + timedelta(days=days_in)
        )
        Address.objects.create(person=person, kind="home", postcode=postcode, line_1="1 Mill Lane")
        return person

    return make


def released(person: Person, recorder, *, started: date, released_on: date | None) -> None:
    """A sentence that started on `started`, and its release (if any)."""
    period = CustodyPeriod.objects.create(
        person=person,
        kind=CustodyKind.SENTENCE,
        start_date=started,
        establishment="HMP Northshire",
        released_on=released_on,
        recorded_by=recorder,
    )
    CustodyEvent.objects.create(
        period=period, kind=CustodyEventKind.STARTED, on=started, recorded_by=recorder
    )
    if released_on:
        CustodyEvent.objects.create(
            period=period, kind=CustodyEventKind.RELEASED, on=released_on, recorded_by=recorder
        )


@pytest.fixture
def cohort(cast) -> Cohort:
    return Cohort.objects.create(
        organisation=cast.lead_charity,
        name="New Leaf 2026",
        service_from=START,
        service_to=END,
        created_by=cast.analyst.user,
    )


@pytest.fixture
def full_cohort(cohort, supported) -> Cohort:
    """61 people who qualify."""
    for n in range(61):
        supported(given_name=f"Person{chr(65 + n % 26)}", family_name=f"Family{n:02d}")
    return cohort
