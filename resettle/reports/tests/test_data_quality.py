"""The data quality report, worked out by hand for a quarter built through the services: records
complete and not, contacts entered on time and late, a case gone quiet, a pair of look-alike
records, and people outside the period who must not count."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.cases.models import Case
from resettle.cases.services import case_close, case_open
from resettle.outcomes.services import end_of_support_record
from resettle.people.models import Person
from resettle.people.services import address_add
from resettle.reports import selectors
from resettle.reports.data_quality import data_quality
from resettle.reports.figures import FEWER_THAN, Scope
from resettle.reports.kinds import DATA_QUALITY
from resettle.reports.periods import Period, quarter_period
from resettle.reports.tests.conftest import END, QUARTER, START, contact, on

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:data_quality")
DOWNLOAD = reverse("reports:data_quality_download")
API = "/api/v1/reports/data-quality"
BEFORE = START - timedelta(days=60)


def close(actor, case: Case, day: date, *, outcome: bool = False) -> None:
    # Closing ends the working relationship on the day it happens: travel there.
    with time_machine.travel(on(day, 17)):
        closed = case_close(actor=actor, case=case, closed_on=day, close_reason="goals_met")
        if outcome:
            end_of_support_record(actor=actor, case=closed, reason="completed", ratings={})


@dataclass
class Records:
    full: Person
    refused: Person
    bare: Person
    twin: Person
    elsewhere: Person  # the twin's look-alike, worked with by another organisation


@pytest.fixture
def records(cast, make_person, share) -> Records:
    agreement = share(categories=[Category.CONTACT], kinds=[OrganisationKind.LEAD_CHARITY])
    # A follow-up window, so the outcome can be recorded once the case is closed.
    agreement.follow_up_days = 30
    agreement.save()
    worker = cast.caseworker
    full = make_person(
        worker,
        started_on=BEFORE,
        given_name="Sam",
        family_name="Taylor",
        date_of_birth=date(1990, 5, 1),
        ethnicity="white_british",
        sex="male",
        identifiers={"crn": "X123456"},
    )
    refused = make_person(
        worker,
        started_on=BEFORE,
        given_name="Robin",
        family_name="Hale",
        date_of_birth=date(1985, 1, 1),
        ethnicity="prefer_not_to_say",  # an answer, so recorded
        sex="prefer_not_to_say",
    )
    bare = make_person(worker, started_on=BEFORE, given_name="Alex", family_name="Moor")
    # Same birthday and names that sound the same as Sam Taylor's: a pair to look at.
    twin = make_person(
        worker,
        started_on=BEFORE,
        given_name="Samm",
        family_name="Tayler",
        date_of_birth=date(1990, 5, 1),
        ethnicity="white_other",
    )
    elsewhere = make_person(
        cast.coordinator,
        started_on=BEFORE,
        given_name="Sam",
        family_name="Taylor",
        date_of_birth=date(1990, 5, 1),
        ethnicity="white_british",
        sex="male",
    )
    # Outside the period: worked with only before it, and only after it. Both bare records.
    gone = make_person(worker, started_on=BEFORE - timedelta(days=30), given_name="Gone")
    make_person(worker, started_on=END + timedelta(days=1), given_name="Later")

    address_add(
        actor=worker,
        person=full,
        data={"kind": "home", "line_1": "1 High Street", "postcode": "SW1A 1AA"},
    )
    address_add(actor=worker, person=refused, data={"kind": "no_fixed_abode"})
    address_add(
        actor=worker,
        person=bare,
        data={
            "kind": "home",
            "line_1": "2 Low Road",
            "postcode": "M1 1AE",
            "from_date": BEFORE - timedelta(days=400),
            "to_date": BEFORE - timedelta(days=100),
        },
    )

    with time_machine.travel(on(BEFORE, 9)):
        cases = {
            person: case_open(actor=worker, person=person, opened_on=BEFORE)
            for person in (full, refused, bare, twin, gone)
        }
    close(worker, cases[gone], START - timedelta(days=5))  # before the period: not counted
    # Entered late: happened on day 5, recorded on day 20.
    with time_machine.travel(on(START + timedelta(days=20))):
        contact(worker, cases[full], on(START + timedelta(days=5)))
        # Late, but did not happen: not an attended contact.
        contact(worker, cases[full], on(START + timedelta(days=6)), "did_not_attend")
    # Recorded 6 days 23 hours after it happened: not late.
    with time_machine.travel(on(START + timedelta(days=13), 10)):
        contact(worker, cases[refused], on(START + timedelta(days=6)))
    # The twin's case stays open with no attended contact: a missed appointment is not one.
    with time_machine.travel(on(END - timedelta(days=3))):
        contact(worker, cases[twin], on(END - timedelta(days=3)), "did_not_attend")
    close(worker, cases[full], START + timedelta(days=30), outcome=True)
    close(worker, cases[bare], START + timedelta(days=31))
    return Records(full, refused, bare, twin, elsewhere)


def own_scope(actor) -> Scope:
    return selectors.report_scopes(actor=actor)[0]


def partnership_scope(actor) -> Scope:
    return next(s for s in selectors.report_scopes(actor=actor) if s.kind == "partnership")


def figures_of(report) -> dict:
    return {f.key: f.cell.count for f in report.figures}


def rows_of(report, key: str) -> dict:
    return {row.value: row.cell.count for row in report.breakdown(key).rows}


def the_quarter() -> Period:
    return quarter_period(QUARTER, today=date.today())


def test_the_organisations_own_report_counts_by_the_definitions(cast, records):
    report = selectors.report_for(
        actor=cast.admin,
        kind=DATA_QUALITY,
        scope=own_scope(cast.admin),
        period=the_quarter(),
    )

    assert report.exact
    # In the period: full, refused, bare and twin. Gone ended before it; later began after it.
    assert figures_of(report) == {
        "people": 4,
        # Full, refused and twin.
        "date_of_birth_percent": 75.0,
        # Full, twin and refused ("prefer not to say" is an answer); bare is not recorded.
        "ethnicity_percent": 75.0,
        # Full and refused; twin and bare not recorded.
        "sex_percent": 50.0,
        # Full only.
        "identifier_percent": 25.0,
        # Full's postcode and refused's no fixed abode; bare's address has ended, twin has none.
        "postcode_percent": 50.0,
        # Full's and bare's cases closed in the period, only full's with its outcome recorded;
        # gone's closed before it.
        "outcome_at_closure_percent": 50.0,
        # Full's contact on day 5 recorded on day 20; refused's was 6 days 23 hours.
        "contacts_entered_late": 1,
        # Refused's case had a contact on day 6; the twin's only a missed one. Full's and
        # bare's are closed.
        "cases_without_recent_contact": 1,
        # Full and twin; elsewhere is another organisation's.
        "possible_duplicate_pairs": 1,
    }
    assert rows_of(report, "date_of_birth") == {"complete": 3, "incomplete": 1}
    assert rows_of(report, "ethnicity") == {"complete": 3, "incomplete": 1}
    assert rows_of(report, "sex") == {"complete": 2, "incomplete": 2}
    assert rows_of(report, "identifier") == {"complete": 1, "incomplete": 3}
    assert rows_of(report, "postcode") == {"complete": 2, "incomplete": 2}
    assert rows_of(report, "outcome_at_closure") == {"complete": 1, "incomplete": 1}
    # (75 + 75 + 50 + 25 + 50 + 50) / 6
    assert rows_of(report, "score_by_organisation") == {str(cast.lead_charity.pk): 54.2}
    assert report.breakdown("score_by_organisation").rows[0].cell.shown == "54.2"


def test_the_partnership_counts_each_person_once_and_finds_pairs_across_organisations(
    cast, records
):
    scope = partnership_scope(cast.manager)
    raw = data_quality(scope=scope, period=the_quarter(), exact=True)

    figures = figures_of(raw)
    assert figures["people"] == 5  # the four, and elsewhere at the football trust
    assert figures["date_of_birth_percent"] == 80.0
    assert figures["sex_percent"] == 60.0
    assert figures["identifier_percent"] == 20.0
    # Sam Taylor, Samm Tayler and the other Sam Taylor: three pairs.
    assert figures["possible_duplicate_pairs"] == 3
    scores = rows_of(raw, "score_by_organisation")
    assert scores[str(cast.lead_charity.pk)] == 54.2
    # Elsewhere: date of birth, ethnicity and sex, no identifier, no address.
    assert scores[str(cast.football_trust.pk)] == 60.0
    assert scores[str(cast.housing_provider.pk)] is None  # nobody worked with
    housing = next(
        r for r in raw.breakdown("score_by_organisation").rows if r.label == "Northshire Homes"
    )
    assert housing.cell.shown == "Cannot be computed: nobody was worked with in the period"
    late = rows_of(raw, "contacts_entered_late_by_organisation")
    assert late[str(cast.lead_charity.pk)] == 1 and late[str(cast.football_trust.pk)] == 0
    quiet = rows_of(raw, "cases_without_recent_contact_by_organisation")
    assert quiet[str(cast.lead_charity.pk)] == 1


def test_a_shared_report_hides_small_counts_and_the_percentages_that_would_give_them_away(
    cast, records
):
    shared = selectors.report_for(
        actor=cast.manager,
        kind=DATA_QUALITY,
        scope=partnership_scope(cast.manager),
        period=the_quarter(),
    )

    assert not shared.exact
    assert shared.figure("people").cell.shown == "5"
    # 4 of 5: both sides are small, so the percentage would name the count.
    dob = shared.figure("date_of_birth_percent").cell
    assert dob.count is None and dob.suppressed and dob.shown.startswith("hidden: fewer than 5")
    assert [r.cell.shown for r in shared.breakdown("date_of_birth").rows] == [
        FEWER_THAN,
        FEWER_THAN,
    ]
    assert shared.figure("contacts_entered_late").cell.shown == FEWER_THAN
    # Scores are percentages, but each organisation worked with fewer than 5 people.
    scores = {r.label: r.cell.shown for r in shared.breakdown("score_by_organisation").rows}
    assert scores[cast.lead_charity.name] == "hidden: fewer than 5 people"
    late = shared.breakdown("contacts_entered_late_by_organisation").rows
    # One small cell and nothing else above zero: there is no total to work it out from.
    assert {r.cell.shown for r in late} == {FEWER_THAN, "0"}
    assert next(r for r in late if r.cell.suppressed).label == cast.lead_charity.name


def test_a_period_with_nobody_says_why_nothing_can_be_computed(cast):
    report = data_quality(scope=own_scope(cast.admin), period=the_quarter(), exact=True)

    assert report.figure("people").cell.shown == "0"
    assert report.figure("date_of_birth_percent").cell.shown == (
        "Cannot be computed: nobody was worked with in the period"
    )
    assert report.figure("outcome_at_closure_percent").cell.shown == (
        "Cannot be computed: no case was closed in the period"
    )
    assert report.figure("possible_duplicate_pairs").cell.shown == "0"


def _people(cast, make_person, count: int, offset: int) -> None:
    worker = cast.caseworker
    for n in range(offset, offset + count):
        person = make_person(
            worker,
            started_on=BEFORE,
            given_name="Kim",
            family_name=f"Person{n}",
            date_of_birth=date(1980, 1, 1),
            identifiers={"crn": f"Q{n:06d}"},
        )
        with time_machine.travel(on(START + timedelta(days=20))):
            case = case_open(actor=worker, person=person, opened_on=BEFORE)
            contact(worker, case, on(START + timedelta(days=5)))
        close(worker, case, START + timedelta(days=25))


def test_the_query_count_does_not_grow_with_the_records(
    cast, make_person, share, django_assert_max_num_queries
):
    share(categories=[Category.CONTACT], kinds=[OrganisationKind.LEAD_CHARITY])
    scope, period = partnership_scope(cast.manager), the_quarter()
    _people(cast, make_person, 2, 0)
    with django_assert_max_num_queries(50) as few:
        data_quality(scope=scope, period=period, exact=True)
    _people(cast, make_person, 8, 2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        report = data_quality(scope=scope, period=period, exact=True)
    assert report.figure("people").cell.count == 10
    assert report.figure("contacts_entered_late").cell.count == 10


def test_the_page_renders_for_an_admin_and_refuses_a_caseworker(client_as, cast, records):
    response = client_as(cast.admin).get(
        PAGE, {"scope": f"organisation:{cast.lead_charity.pk}", "quarter": QUARTER}
    )

    assert response.status_code == 200
    assert "Date of birth recorded (%)" in response.text
    assert "more than 7 days after they happened" in response.text
    assert client_as(cast.caseworker).get(PAGE).status_code == 403
    assert client_as(cast.caseworker).get(DOWNLOAD).status_code == 403


def test_the_file_carries_the_figures(client_as, cast, records):
    response = client_as(cast.admin).get(DOWNLOAD, {"quarter": QUARTER, "format": "csv"})

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Possible duplicate records (pairs)" in text and "phonetic keys" in text


def test_the_api_returns_the_report(api_as, cast, records):
    response = api_as(cast.analyst).get(
        API, {"organisation": str(cast.lead_charity.pk), "period": QUARTER}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["exact"] is True
    assert body["figures"]["identifier_percent"] == {
        "count": 25.0,
        "suppressed": False,
        "shown": "25.0",
    }
    assert body["figures"]["possible_duplicate_pairs"]["count"] == 1
    assert {r["value"]: r["count"] for r in body["breakdowns"]["sex"]} == {
        "complete": 2,
        "incomplete": 2,
    }
    assert "prefer not to say" in body["definitions"]["ethnicity"]
    assert api_as(cast.caseworker).get(API).status_code == 403
