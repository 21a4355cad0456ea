"""The quarterly return gives DESIGN §5's figures for a quarter with seed 003's traps, worked out
by hand here (see conftest for who did what)."""

import pytest

from resettle.reports import selectors
from resettle.reports.figures import FEWER_THAN
from resettle.reports.kinds import QUARTERLY_RETURN
from resettle.reports.quarterly import quarterly_return
from resettle.reports.tests.conftest import QUARTER

pytestmark = pytest.mark.django_db


def figures_of(report) -> dict:
    return {f.key: f.cell.count for f in report.figures}


def rows_of(report, key: str) -> dict:
    return {row.value: row.cell.count for row in report.breakdown(key).rows}


OWN_RETURN = {
    # Three referrals of one person, to three services; last quarter's is not counted.
    "referrals_received": 3,
    # Repeat, refused, unknown and the partner were first seen this quarter; continuing
    # was first seen last quarter.
    "new_starts": 4,
    # Every case but unknown's, closed in the quarter.
    "active_caseload_at_period_end": 4,
    # Five people, once each however many contacts; the did-not-attend is no contact.
    "people_supported": 5,
    "secondary_beneficiaries": 1,
    # Repeat 2, continuing 1, refused 1, unknown 1, the partner's late-entered 1.
    "contacts_attended": 6,
    "sessions_attended": 0,
    "unregistered_headcount": 0,
    # Repeat's referral to housing advice was made on day 3, first seen on day 10.
    "median_days_to_first_contact": 7.0,
}


def own_scope(actor):
    return selectors.report_scopes(actor=actor)[0]


def test_the_organisations_own_return_counts_by_the_definitions(cast, quarter):
    report = selectors.report_for(
        actor=cast.admin, kind=QUARTERLY_RETURN, scope=own_scope(cast.admin), period=quarter.period
    )

    assert report.exact
    assert figures_of(report) == OWN_RETURN
    ethnicity = rows_of(report, "ethnicity")
    assert ethnicity["white_british"] == 2
    assert ethnicity["black_caribbean"] == 1
    assert ethnicity["prefer_not_to_say"] == 1
    assert ethnicity["not_recorded"] == 1
    assert ethnicity["asian_chinese"] == 0  # zero is shown as 0
    assert sum(ethnicity.values()) == 5
    assert rows_of(report, "sex") == {
        "female": 2,
        "male": 2,
        "not_recorded": 1,
        "prefer_not_to_say": 0,
    }
    assert rows_of(report, "source_organisation") == {cast.probation_unit.name: 3}
    pathways = rows_of(report, "referral_pathway")
    assert pathways["accommodation"] == 1 and pathways["education_employment"] == 1
    trend = rows_of(report, "trend_people_supported")
    assert list(trend)[-1] == QUARTER and trend[QUARTER] == 5
    # Last quarter: continuing was seen (and nobody else).
    assert list(trend.values())[-2] == 1
    assert list(rows_of(report, "trend_referrals_received").values())[-2:] == [1, 3]
    states = rows_of(report, "referral_state")
    assert states["accepted"] == 1 and states["submitted"] == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_figures_counted_alongside_are_the_same(cast, quarter):
    """As in the task worker: part of the return is counted on a second connection at once."""
    report = quarterly_return(scope=own_scope(cast.admin), period=quarter.period, exact=True)

    assert figures_of(report) == OWN_RETURN
    assert list(rows_of(report, "trend_referrals_received").values())[-2:] == [1, 3]


def test_the_partnership_return_counts_each_person_once_and_hides_small_numbers(cast, quarter):
    scopes = selectors.report_scopes(actor=cast.manager)
    partnership = next(s for s in scopes if s.kind == "partnership")

    raw = quarterly_return(scope=partnership, period=quarter.period, exact=True)
    shared = selectors.report_for(
        actor=cast.manager, kind=QUARTERLY_RETURN, scope=partnership, period=quarter.period
    )

    assert figures_of(raw)["people_supported"] == 5
    by_organisation = {
        row.label: row.cell.count for row in raw.breakdown("people_supported_by_organisation").rows
    }
    assert by_organisation[cast.lead_charity.name] == 5
    assert by_organisation[cast.football_trust.name] == 0  # a service with no contact: 0
    assert not shared.exact
    assert shared.figure("people_supported").cell.count == 5
    assert shared.figure("secondary_beneficiaries").cell.shown == FEWER_THAN
    ethnicity = {row.value: row.cell for row in shared.breakdown("ethnicity").rows}
    assert ethnicity["prefer_not_to_say"].shown == FEWER_THAN
    assert ethnicity["asian_chinese"].shown == "0"


def test_a_secondary_beneficiary_is_family_or_household_of_someone_with_custody(cast, quarter):
    from datetime import date

    from resettle.custody.models import CustodyPeriod
    from resettle.people.models import Household, HouseholdMember, Person, Relationship
    from resettle.reports.quarterly import Counter

    def person(name: str) -> Person:
        return Person.objects.create(given_name=name, family_name="Secondary")

    def custody(of: Person) -> None:
        CustodyPeriod.objects.create(
            person=of,
            kind="remand",
            start_date=date(2020, 1, 1),
            establishment="HMP Northvale",
            recorded_by=cast.prison.user,
        )

    leaver, other_leaver, home_leaver = person("Leaver"), person("Other"), person("Home")
    for someone in (leaver, other_leaver, home_leaver):
        custody(someone)
    mother, son = person("Mother"), person("Son")
    lodger, friend = person("Lodger"), person("Friend")
    # Either side of a relationship may be the one recorded; a household shared is enough.
    Relationship.objects.create(person=mother, related_person=leaver, kind="parent")
    Relationship.objects.create(person=other_leaver, related_person=son, kind="parent")
    home = Household.objects.create(name="Flat 2")
    HouseholdMember.objects.create(household=home, person=lodger)
    HouseholdMember.objects.create(household=home, person=home_leaver)
    # A leaver related to another leaver is supported in their own right, not secondary.
    Relationship.objects.create(person=leaver, related_person=other_leaver, kind="sibling")

    counter = Counter(own_scope(cast.admin), quarter.period)
    everyone = [leaver, other_leaver, home_leaver, mother, son, lodger, friend]
    counter.supported = Person.objects.filter(pk__in=[p.pk for p in everyone])
    assert counter.secondary_beneficiaries() == 3
