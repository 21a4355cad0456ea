"""A quarter built through the services with the traps the Merseyside evaluation found in
quarterly returns (seed 003): one person referred three times, a person referred last quarter
and still supported, unknown and refused ethnicity, a family member supported in their own
right, a contact entered late, a service with no contact, and a contact that did not happen.

The quarter is the last one that has ended; each step happens on its own day in it, by travelling
there, so the services see the dates they would have seen."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.cases.models import Case
from resettle.cases.services import case_close, case_open
from resettle.contacts.services import contact_record
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.directory.models import Access, Service
from resettle.people.models import Person
from resettle.people.services import relationship_set
from resettle.referrals import services as referrals
from resettle.reports.periods import Period, quarter_bounds, quarter_of, quarter_period

TODAY = date.today()
QUARTER = quarter_of(quarter_bounds(quarter_of(TODAY))[0] - timedelta(days=1))
START, END = quarter_bounds(QUARTER)
LAST_QUARTER_DAY = START - timedelta(days=40)


def on(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class Quarter:
    period: Period
    repeat: Person  # referred three times in the quarter
    continuing: Person  # referred and first seen last quarter, still supported
    refused: Person  # ethnicity: prefer not to say
    unknown: Person  # ethnicity: not recorded; case closed in the quarter
    partner: Person  # the family member supported in their own right
    services: list[Service]


def _service(cast, name: str, pathway: str) -> Service:
    return Service.objects.create(
        organisation=cast.lead_charity,
        name=name,
        description=f"{name} for people leaving prison.",
        access=Access.BOTH,
        pathways=[pathway],
    )


def contact(
    actor,
    case: Case,
    when: datetime,
    outcome: str = "attended",
    pathways: tuple[str, ...] = ("accommodation",),
) -> None:
    contact_record(
        actor=actor,
        case=case,
        data={
            "kind": "face_to_face",
            "happened_at": when,
            "outcome": outcome,
            "duration_minutes": 30 if outcome == "attended" else None,
            "pathways": list(pathways),
            "note": "",
        },
    )


@pytest.fixture
def quarter(cast, make_person, share) -> Quarter:
    caseworker = cast.caseworker
    share(categories=[Category.FAMILY_CHILDREN], kinds=[OrganisationKind.LEAD_CHARITY])
    services = [
        _service(cast, "Housing advice", "accommodation"),
        _service(cast, "Work ready", "education_employment"),
        _service(cast, "Money matters", "finance_benefit_id"),
    ]
    started = LAST_QUARTER_DAY - timedelta(days=30)
    repeat = make_person(
        cast.probation,
        caseworker,
        started_on=started,
        ethnicity="white_british",
        sex="male",
        date_of_birth=date(1990, 1, 1),
    )
    continuing = make_person(
        cast.probation,
        caseworker,
        started_on=started,
        ethnicity="black_caribbean",
        sex="male",
        date_of_birth=date(1985, 6, 1),
    )
    refused = make_person(
        caseworker,
        started_on=started,
        ethnicity="prefer_not_to_say",
        sex="female",
        date_of_birth=date(2000, 3, 3),
    )
    unknown = make_person(caseworker, started_on=started, sex="not_recorded")
    partner = make_person(
        caseworker,
        started_on=started,
        ethnicity="white_british",
        sex="female",
        date_of_birth=date(1992, 2, 2),
    )
    CustodyPeriod.objects.create(
        person=repeat,
        kind=CustodyKind.SENTENCE,
        start_date=started - timedelta(days=400),
        establishment="HMP Northshire",
        released_on=started - timedelta(days=1),
        recorded_by=cast.prison.user,
    )
    relationship_set(actor=caseworker, person=partner, related_person=repeat, kind="partner")

    # Last quarter: continuing is referred, starts and is seen.
    with time_machine.travel(on(LAST_QUARTER_DAY, 20)):
        earlier = referrals.referral_create(
            actor=cast.probation,
            person=continuing,
            service=services[0],
            reason="Needs a tenancy",
            pathway="accommodation",
            shared_categories=[],
            submit=True,
        )
        referrals.referral_accept(actor=caseworker, referral=earlier)
        continuing_case = case_open(actor=caseworker, person=continuing, opened_on=LAST_QUARTER_DAY)
        contact(caseworker, continuing_case, on(LAST_QUARTER_DAY, 14))

    # This quarter.
    with time_machine.travel(on(START + timedelta(days=3), 20)):
        made = [
            referrals.referral_create(
                actor=cast.probation,
                person=repeat,
                service=service,
                reason="Needs help on release",
                pathway=service.pathways[0],
                shared_categories=[],
                submit=True,
            )
            for service in services
        ]
        referrals.referral_accept(actor=caseworker, referral=made[0])
        cases = {
            person: case_open(actor=caseworker, person=person, opened_on=START + timedelta(days=3))
            for person in (repeat, refused, unknown, partner)
        }
    with time_machine.travel(on(START + timedelta(days=10), 20)):
        contact(caseworker, cases[repeat], on(START + timedelta(days=10), 9))
        contact(caseworker, cases[refused], on(START + timedelta(days=10), 10))
        contact(caseworker, cases[unknown], on(START + timedelta(days=10), 11))
        contact(caseworker, cases[refused], on(START + timedelta(days=9), 10), "did_not_attend")
    with time_machine.travel(on(START + timedelta(days=40), 20)):
        contact(caseworker, cases[repeat], on(START + timedelta(days=40), 9))
        contact(caseworker, continuing_case, on(START + timedelta(days=40), 10))
        case_close(
            actor=caseworker,
            case=cases[unknown],
            closed_on=START + timedelta(days=40),
            close_reason="other",
        )
    # Entered late: a contact in the quarter, recorded after it ended.
    with time_machine.travel(on(END + timedelta(days=5), 20)):
        contact(caseworker, cases[partner], on(END - timedelta(days=2), 15))

    period = quarter_period(QUARTER, today=TODAY)
    return Quarter(period, repeat, continuing, refused, unknown, partner, services)
