"""The demand and capacity report, worked out by hand for a quarter of referrals made through the
services: a waiting list joined before the quarter and left in it, a referral still waiting at
its end but accepted since, declines for no capacity in different months (and one that went on
the waiting list instead), a draft never sent, and people due out of custody inside and just
outside the twelve weeks after it."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.directory.models import Access, Service
from resettle.people.models import Person
from resettle.referrals import services as referrals
from resettle.referrals.models import Referral
from resettle.reports import selectors
from resettle.reports.demand import demand_and_capacity
from resettle.reports.figures import FEWER_THAN, Scope
from resettle.reports.kinds import DEMAND_AND_CAPACITY
from resettle.reports.periods import Period, quarter_period
from resettle.reports.tests.conftest import END, QUARTER, START, on

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:demand_and_capacity")
DOWNLOAD = reverse("reports:demand_and_capacity_download")
API = "/api/v1/reports/demand-and-capacity"
BEFORE = START - timedelta(days=60)
LAST_QUARTER_DAY = START - timedelta(days=40)


def the_quarter() -> Period:
    return quarter_period(QUARTER, today=date.today())


def month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass
class Demand:
    housing: Service  # 3 places, keeps a waiting list
    work: Service  # no number of places, no waiting list
    football: Service  # another organisation's
    due: Person


def _service(organisation, name: str, pathway: str, **fields) -> Service:
    return Service.objects.create(
        organisation=organisation,
        name=name,
        description=f"{name} for people leaving prison.",
        access=Access.BOTH,
        pathways=[pathway],
        **fields,
    )


def _release(person: Person, cast, **dates) -> None:
    CustodyPeriod.objects.create(
        person=person,
        kind=CustodyKind.SENTENCE,
        start_date=BEFORE - timedelta(days=300),
        establishment="HMP Northshire",
        recorded_by=cast.prison.user,
        **dates,
    )


@pytest.fixture
def demand(cast, make_person) -> Demand:
    housing = _service(cast.lead_charity, "Housing advice", "accommodation", capacity=3)
    work = _service(cast.lead_charity, "Work ready", "education_employment", has_waiting_list=False)
    football = _service(cast.football_trust, "Kickabout", "sport", capacity=10)

    def person(name: str) -> Person:
        return make_person(
            cast.probation, cast.caseworker, started_on=BEFORE, given_name=name, family_name="Ray"
        )

    def refer(who: Person, service: Service, submit: bool = True) -> Referral:
        return referrals.referral_create(
            actor=cast.probation,
            person=who,
            service=service,
            reason="Needs help on release",
            pathway=service.pathways[0],
            shared_categories=[],
            submit=submit,
        )

    worker = cast.caseworker
    due = person("Due")
    declined_person = person("Fay")
    with time_machine.travel(on(LAST_QUARTER_DAY)):
        early = refer(person("Ann"), housing)
        referrals.referral_waitlist(actor=worker, referral=early)
    with time_machine.travel(on(START + timedelta(days=3))):
        # "No capacity" on a service with a waiting list puts the referral on it instead.
        quick = refer(person("Bea"), housing)
        referrals.referral_decline(actor=worker, referral=quick, reason="no_capacity")
        referrals.referral_waitlist(actor=worker, referral=refer(due, housing))
        waiting = refer(person("Cal"), housing)
        referrals.referral_waitlist(actor=worker, referral=waiting)
        refer(person("Gil"), housing, submit=False)  # a draft: never received
        first_decline = refer(person("Dee"), work)
        second_decline = refer(person("Eve"), work)
        ineligible = refer(declined_person, work)
        refer(due, work)  # stays submitted: a live referral for a second pathway
    with time_machine.travel(on(START + timedelta(days=5))):
        referrals.referral_decline(actor=worker, referral=first_decline, reason="no_capacity")
        referrals.referral_decline(actor=worker, referral=ineligible, reason="not_eligible")
    with time_machine.travel(on(START + timedelta(days=10))):
        referrals.referral_accept(actor=worker, referral=early)  # waited 50 days
    with time_machine.travel(on(START + timedelta(days=13))):
        referrals.referral_accept(actor=worker, referral=quick)  # waited 10 days
    with time_machine.travel(on(month_after(START) + timedelta(days=4))):
        referrals.referral_decline(actor=worker, referral=second_decline, reason="no_capacity")
    # Still waiting at the end of the quarter; accepted the day after.
    with time_machine.travel(on(END + timedelta(days=1), 9)):
        referrals.referral_accept(actor=worker, referral=waiting)

    _release(due, cast, expected_release_date=END + timedelta(days=30))
    _release(
        declined_person,
        cast,
        conditional_release_date=END + timedelta(days=84),  # the last day in the window
        expected_release_date=END + timedelta(days=200),
    )
    # The first day in the window, with no referral at all.
    _release(person("Hal"), cast, expected_release_date=END + timedelta(days=1))
    _release(person("Late"), cast, expected_release_date=END + timedelta(days=85))
    _release(
        person("Out"),
        cast,
        expected_release_date=END + timedelta(days=10),
        released_on=END - timedelta(days=1),
    )
    elsewhere = make_person(cast.coordinator, started_on=BEFORE, given_name="Far")
    _release(elsewhere, cast, expected_release_date=END + timedelta(days=10))
    return Demand(housing, work, football, due)


def own_scope(actor) -> Scope:
    return selectors.report_scopes(actor=actor)[0]


def partnership_scope(actor) -> Scope:
    return next(s for s in selectors.report_scopes(actor=actor) if s.kind == "partnership")


def figures_of(report) -> dict:
    return {f.key: f.cell.count for f in report.figures}


def rows_of(report, key: str) -> dict:
    return {row.value: row.cell.count for row in report.breakdown(key).rows}


def test_the_organisations_own_report_counts_by_the_definitions(cast, demand):
    report = selectors.report_for(
        actor=cast.admin,
        kind=DEMAND_AND_CAPACITY,
        scope=own_scope(cast.admin),
        period=the_quarter(),
    )
    housing, work = str(demand.housing.pk), str(demand.work.pk)
    first, second = START.replace(day=1), month_after(START)
    third = month_after(second)

    assert report.exact
    assert figures_of(report) == {
        # Housing: Bea, Due, Cal (Gil's draft never sent, Ann's last quarter). Work: four.
        "referrals_received": 7,
        # Due, and Cal (accepted only after the quarter ended).
        "waiting_at_period_end": 2,
        # Ann waited 50 days, Bea 10.
        "median_waiting_days": 30.0,
        # Dee and Eve; Bea's went on the waiting list, Fay's was for another reason.
        "declined_no_capacity": 2,
        # Due (expected release) and Hal (the first day). Declining Fay's referral ended the
        # charity's work with her; Late's date is the 85th day; Out was released; Far is
        # another organisation's.
        "projected_releases": 2,
    }
    assert rows_of(report, "referrals_received_by_service") == {housing: 3, work: 4}
    assert rows_of(report, "places_by_service") == {housing: 3, work: None}
    places = {r.label: r.cell.shown for r in report.breakdown("places_by_service").rows}
    assert places["Work ready"] == (
        "Cannot be computed: no number of places is recorded for this service (no limit is set)"
    )
    assert rows_of(report, "waiting_at_period_end_by_service") == {housing: 2, work: 0}
    assert rows_of(report, "median_waiting_days_by_service") == {housing: 30.0, work: None}
    assert rows_of(report, "declined_no_capacity_by_month") == {
        f"{housing}:{first:%Y-%m}": 0,
        f"{housing}:{second:%Y-%m}": 0,
        f"{housing}:{third:%Y-%m}": 0,
        f"{work}:{first:%Y-%m}": 1,
        f"{work}:{second:%Y-%m}": 1,
        f"{work}:{third:%Y-%m}": 0,
    }
    labels = [r.label for r in report.breakdown("declined_no_capacity_by_month").rows]
    assert labels[3] == f"Work ready, {first:%B %Y}"
    pathways = rows_of(report, "projected_releases_by_pathway")
    # Due: housing (waiting) and work (submitted); Hal has no referral.
    assert pathways["accommodation"] == 1
    assert pathways["education_employment"] == 1
    assert pathways["no_live_referral"] == 1
    assert pathways["health"] == 0
    assert sum(pathways.values()) == 3


def test_the_partnership_adds_other_organisations_services_and_people(cast, demand):
    raw = demand_and_capacity(
        scope=partnership_scope(cast.manager), period=the_quarter(), exact=True
    )

    # Probation still works with Fay (conditional release on the 84th day); Far is the
    # football trust's.
    assert raw.figure("projected_releases").cell.count == 4
    pathways = rows_of(raw, "projected_releases_by_pathway")
    assert pathways["no_live_referral"] == 3  # Hal, Fay (declined only), Far
    places = {r.label: r.cell.count for r in raw.breakdown("places_by_service").rows}
    assert places == {
        f"Housing advice ({cast.lead_charity.name})": 3,
        f"Work ready ({cast.lead_charity.name})": None,
        f"Kickabout ({cast.football_trust.name})": 10,
    }
    assert rows_of(raw, "referrals_received_by_service")[str(demand.football.pk)] == 0


def test_a_shared_report_hides_small_counts_but_not_places_or_days(cast, demand):
    shared = selectors.report_for(
        actor=cast.manager,
        kind=DEMAND_AND_CAPACITY,
        scope=partnership_scope(cast.manager),
        period=the_quarter(),
    )

    assert not shared.exact
    assert shared.figure("waiting_at_period_end").cell.shown == FEWER_THAN
    received = {
        r.value: r.cell.shown for r in shared.breakdown("referrals_received_by_service").rows
    }
    assert received == {
        str(demand.housing.pk): FEWER_THAN,
        str(demand.work.pk): FEWER_THAN,
        str(demand.football.pk): "0",
    }
    # A service's 3 places are not 3 people.
    assert rows_of(shared, "places_by_service")[str(demand.housing.pk)] == 3
    assert shared.figure("median_waiting_days").cell.shown == "30.0"


def test_a_period_with_no_demand_shows_zeros_and_says_why_a_median_cannot_be_computed(cast):
    _service(cast.lead_charity, "Quiet service", "health")

    report = demand_and_capacity(scope=own_scope(cast.admin), period=the_quarter(), exact=True)

    assert figures_of(report)["referrals_received"] == 0
    assert report.figure("projected_releases").cell.shown == "0"
    assert report.figure("median_waiting_days").cell.shown == (
        "Cannot be computed: nobody left a waiting list in the period"
    )


def _referrals(cast, make_person, service: Service, count: int, offset: int) -> None:
    for n in range(offset, offset + count):
        who = make_person(cast.probation, cast.caseworker, started_on=BEFORE, given_name=f"P{n}")
        _release(who, cast, expected_release_date=END + timedelta(days=20))
        with time_machine.travel(on(START + timedelta(days=3))):
            referral = referrals.referral_create(
                actor=cast.probation,
                person=who,
                service=service,
                reason="Needs help",
                pathway="accommodation",
                shared_categories=[],
                submit=True,
            )
            referrals.referral_waitlist(actor=cast.caseworker, referral=referral)
        with time_machine.travel(on(START + timedelta(days=8))):
            referrals.referral_accept(actor=cast.caseworker, referral=referral)


def test_the_query_count_does_not_grow_with_the_records(
    cast, make_person, django_assert_max_num_queries
):
    service = _service(cast.lead_charity, "Housing advice", "accommodation")
    scope, period = partnership_scope(cast.manager), the_quarter()
    _referrals(cast, make_person, service, 2, 0)
    with django_assert_max_num_queries(50) as few:
        demand_and_capacity(scope=scope, period=period, exact=True)
    _referrals(cast, make_person, service, 8, 2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        report = demand_and_capacity(scope=scope, period=period, exact=True)
    assert figures_of(report)["referrals_received"] == 10
    assert figures_of(report)["median_waiting_days"] == 5.0
    assert figures_of(report)["projected_releases"] == 10


def test_the_page_renders_for_an_admin_and_refuses_a_caseworker(client_as, cast, demand):
    response = client_as(cast.admin).get(
        PAGE, {"scope": f"organisation:{cast.lead_charity.pk}", "quarter": QUARTER}
    )

    assert response.status_code == 200
    assert "Places by service" in response.text
    assert "People due out of custody in the next 12 weeks" in response.text
    assert client_as(cast.caseworker).get(PAGE).status_code == 403
    assert client_as(cast.caseworker).get(DOWNLOAD).status_code == 403


def test_the_file_carries_the_figures(client_as, cast, demand):
    response = client_as(cast.admin).get(DOWNLOAD, {"quarter": QUARTER, "format": "xlsx"})

    assert response.status_code == 200
    assert (
        f"demand-and-capacity_new-leaf-northshire_{QUARTER}.xlsx" in response["Content-Disposition"]
    )


def test_the_api_returns_the_report(api_as, cast, demand):
    response = api_as(cast.analyst).get(
        API, {"organisation": str(cast.lead_charity.pk), "period": QUARTER}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["figures"]["median_waiting_days"] == {
        "count": 30.0,
        "suppressed": False,
        "shown": "30.0",
    }
    assert body["figures"]["referrals_received"]["count"] == 7
    places = {r["value"]: r for r in body["breakdowns"]["places_by_service"]}
    assert places[str(demand.work.pk)]["count"] is None
    assert places[str(demand.housing.pk)]["shown"] == "3"
    assert body["definitions"]["projected_releases"].startswith("People due out of custody")
    assert api_as(cast.caseworker).get(API).status_code == 403
