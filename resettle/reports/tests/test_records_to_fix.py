"""The records behind the data quality report, listed to fix, for a quarter built by hand: each
list names only its own organisation's records that the user may open, each linked to where it
is fixed; those who read the report see how many, and no one named; the report's counts of the
user's own organisation link to the lists."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditAction, AuditEvent
from resettle.cases.services import case_close, case_open
from resettle.people.models import Person, WorkingRelationship
from resettle.people.services import address_add
from resettle.reports.records_to_fix import BY_KEY, BY_SLUG, PROBLEMS
from resettle.reports.tests.conftest import END, QUARTER, START, contact, on

pytestmark = pytest.mark.django_db

BEFORE = START - timedelta(days=60)
INDEX = reverse("reports:data_quality_records")
REPORT = reverse("reports:data_quality")


def url(slug: str) -> str:
    return reverse(f"reports:{BY_SLUG[slug].url_name}")


@dataclass
class Records:
    bare: Person  # nothing recorded beyond a name; an open case with no contact
    full: Person  # complete; a contact entered late
    twin: Person  # complete, and sounds like full with the same birthday
    closed: Person  # complete; a case closed in the quarter without its outcome
    gone: Person  # nothing recorded; worked with only early in the quarter, now out of sight
    elsewhere: Person  # nothing recorded; the football trust's
    cases: dict


def _complete(worker, make_person, given: str, family: str, crn: str) -> Person:
    person = make_person(
        worker,
        started_on=BEFORE,
        given_name=given,
        family_name=family,
        date_of_birth=date(1990, 5, 1),
        ethnicity="white_british",
        sex="male",
        identifiers={"crn": crn},
    )
    address_add(
        actor=worker,
        person=person,
        data={"kind": "home", "line_1": "1 High Street", "postcode": "SW1A 1AA"},
    )
    return person


@pytest.fixture
def records(cast, make_person, share) -> Records:
    share(
        categories=[Category.CONTACT, Category.CRIMINAL_JUSTICE_IDS],
        kinds=[OrganisationKind.LEAD_CHARITY],
    )
    worker = cast.caseworker
    bare = make_person(worker, started_on=BEFORE, given_name="Alex", family_name="Moor")
    full = _complete(worker, make_person, "Sam", "Taylor", "X100001")
    twin = _complete(worker, make_person, "Samm", "Tayler", "X100002")
    closed = _complete(worker, make_person, "Chris", "Shaw", "X100003")
    closed.date_of_birth = date(1980, 1, 1)
    closed.save()
    gone = make_person(
        worker, started_on=BEFORE, ended_on=START + timedelta(days=10), given_name="Gone"
    )
    elsewhere = make_person(cast.coordinator, started_on=BEFORE, given_name="Elsewhere")
    with time_machine.travel(on(BEFORE, 9)):
        cases = {
            person: case_open(actor=worker, person=person, opened_on=BEFORE)
            for person in (bare, full, twin, closed)
        }
    # Entered late: happened on day 5, recorded on day 20.
    with time_machine.travel(on(START + timedelta(days=20))):
        contact(worker, cases[full], on(START + timedelta(days=5)))
    with time_machine.travel(on(END - timedelta(days=3))):
        contact(worker, cases[twin], on(END - timedelta(days=3)))
    with time_machine.travel(on(START + timedelta(days=30), 17)):
        case_close(
            actor=worker,
            case=cases[closed],
            closed_on=START + timedelta(days=30),
            close_reason="goals_met",
        )
    # Worked with again since, so still the caseworker's to see.
    WorkingRelationship.objects.create(
        person=closed, organisation=cast.lead_charity, started_on=START + timedelta(days=40)
    )
    return Records(bare, full, twin, closed, gone, elsewhere, cases)


def listed(client, slug: str, **query) -> tuple[int, str]:
    response = client.get(url(slug), {"quarter": QUARTER, **query})
    return response.status_code, response.text


# What each list names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug", ["no-date-of-birth", "no-ethnicity", "no-sex", "no-identifier", "no-current-address"]
)
def test_people_missing_a_field_are_listed_with_where_to_fix_it(cast, client_as, records, slug):
    status, text = listed(client_as(cast.caseworker), slug)

    assert status == 200
    # Gone has nothing recorded either, and is counted by the report, but is no longer the
    # caseworker's to see; elsewhere is the football trust's.
    assert "1 record you may open" in text
    assert reverse("people:detail", args=[records.bare.pk]) in text
    fix = "people:add_address" if slug == "no-current-address" else "people:edit"
    assert reverse(fix, args=[records.bare.pk]) in text
    for person in (records.full, records.gone, records.elsewhere):
        assert str(person.pk) not in text


def test_cases_closed_without_an_outcome_link_to_recording_it(cast, client_as, records):
    status, text = listed(client_as(cast.caseworker), "closed-without-outcome")

    assert status == 200 and "1 record you may open" in text
    case = records.cases[records.closed]
    assert reverse("outcomes:end_of_support", args=[case.pk]) in text


def test_contacts_entered_late_say_how_late(cast, client_as, records):
    status, text = listed(client_as(cast.caseworker), "contacts-entered-late")

    late = records.full.contacts.get()
    assert status == 200 and "1 record you may open" in text
    assert reverse("contacts:detail", args=[late.pk]) in text
    assert 'data-label="Days late">15</td>' in text


def test_open_cases_gone_quiet_link_to_the_case(cast, client_as, records):
    status, text = listed(client_as(cast.caseworker), "open-cases-without-contact")

    # Bare's case has had no contact; full's and twin's had one in the 90 days; closed's closed.
    assert status == 200 and "1 record you may open" in text
    assert reverse("cases:detail", args=[records.cases[records.bare].pk]) in text
    assert reverse("cases:detail", args=[records.cases[records.full].pk]) not in text


def test_possible_duplicates_are_listed_as_pairs(cast, client_as, records):
    status, text = listed(client_as(cast.caseworker), "possible-duplicates")

    first, second = sorted((records.full, records.twin), key=lambda p: p.pk)
    assert status == 200 and "1 record you may open" in text
    row = text[text.index(reverse("people:detail", args=[first.pk])) :]
    assert reverse("people:detail", args=[second.pk]) in row


def test_the_lists_are_sortable(cast, client_as, make_person, records):
    make_person(cast.caseworker, started_on=BEFORE, given_name="Zoe", family_name="Able")
    client = client_as(cast.caseworker)

    _, by_name = listed(client, "no-date-of-birth", sort="name")
    _, backwards = listed(client, "no-date-of-birth", sort="-name")
    _, nonsense = listed(client, "no-date-of-birth", sort="password")

    assert by_name.index("Zoe Able") < by_name.index("Alex Moor")
    assert backwards.index("Alex Moor") < backwards.index("Zoe Able")
    # A sort that is not offered is the list's own order.
    assert nonsense.index("Zoe Able") < nonsense.index("Alex Moor")
    assert 'aria-sort="descending"' in backwards


def test_a_list_is_audited_as_a_read_of_each_person_it_shows(cast, client_as, records):
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    client = client_as(cast.caseworker)
    listed(client, "no-current-address")
    listed(client, "possible-duplicates")

    reads = AuditEvent.objects.filter(action=AuditAction.READ).exclude(pk__in=before)
    assert {(e.person_id, e.category) for e in reads} == {
        (records.bare.pk, Category.CONTACT),
        (records.full.pk, Category.IDENTITY),
        (records.twin.pk, Category.IDENTITY),
    }


# Who sees what --------------------------------------------------------------------------------


def test_another_organisation_sees_only_its_own_records(cast, client_as, records):
    status, text = listed(client_as(cast.coordinator), "no-date-of-birth")

    assert status == 200
    assert cast.football_trust.name in text
    assert str(records.elsewhere.pk) in text
    assert str(records.bare.pk) not in text and "Alex Moor" not in text


def test_those_who_read_the_report_see_how_many_and_no_one(cast, client_as, records):
    status, text = listed(client_as(cast.admin), "no-date-of-birth")

    assert status == 200
    # Bare and gone, as the report counts them.
    assert '<span class="govuk-!-font-size-36 govuk-!-font-weight-bold">2</span> records' in text
    assert "Alex Moor" not in text and str(records.bare.pk) not in text
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()
    _, pairs = listed(client_as(cast.analyst), "possible-duplicates")
    assert "1</span> pair of records" in pairs


def test_a_peer_mentor_is_refused(cast, client_as, records):
    client = client_as(cast.mentor)

    assert client.get(INDEX).status_code == 403
    for problem in PROBLEMS:
        assert client.get(reverse(f"reports:{problem.url_name}")).status_code == 403


def test_signed_out_is_sent_to_sign_in(client_as, records):
    client = client_as(None)

    for address in (INDEX, url("no-date-of-birth")):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_a_bad_period_is_refused_naming_the_field(cast, client_as):
    response = client_as(cast.caseworker).get(url("no-sex"), {"quarter": "2099-Q1"})

    assert response.status_code == 400
    assert "That quarter has not started yet" in response.text


def test_the_index_lists_every_problem_for_the_period(cast, client_as, records):
    response = client_as(cast.caseworker).get(INDEX, {"quarter": QUARTER})

    assert response.status_code == 200
    for problem in PROBLEMS:
        assert f"{reverse('reports:' + problem.url_name)}?quarter={QUARTER}" in response.text


def test_the_list_costs_the_same_queries_however_many_records(
    cast, client_as, make_person, records, count_queries
):
    client = client_as(cast.caseworker)
    slugs = [problem.slug for problem in PROBLEMS]

    def queries() -> list[int]:
        counts = []
        for slug in slugs:
            with count_queries() as captured:
                assert listed(client, slug)[0] == 200
            counts.append(len(captured))
        return counts

    few = queries()
    worker = cast.caseworker
    for n in range(6):
        person = make_person(worker, started_on=BEFORE, given_name="Kim", family_name=f"Doe{n}")
        alike = _complete(worker, make_person, "Jo", f"Lookalike{n}", f"Y10000{n}")
        _complete(worker, make_person, "Joe", f"Lookalike{n}", f"Z10000{n}")
        with time_machine.travel(on(BEFORE, 9)):
            case = case_open(actor=worker, person=person, opened_on=BEFORE)
            case_open(actor=worker, person=alike, opened_on=BEFORE)
        with time_machine.travel(on(START + timedelta(days=20))):
            contact(worker, case, on(START + timedelta(days=5)))

    assert queries() == few


# The report links its counts to the lists ---------------------------------------------------


def test_the_organisations_own_report_links_its_counts_to_the_lists(cast, client_as, records):
    response = client_as(cast.admin).get(
        REPORT, {"scope": f"organisation:{cast.lead_charity.pk}", "quarter": QUARTER}
    )

    assert response.status_code == 200
    for problem in PROBLEMS:
        assert f'href="{reverse("reports:" + problem.url_name)}?quarter={QUARTER}"' in response.text


def test_a_partnership_report_links_only_the_users_own_organisation(cast, client_as, records):
    response = client_as(cast.manager).get(
        REPORT, {"scope": f"partnership:{cast.partnership.pk}", "quarter": QUARTER}
    )

    text = response.text
    late = BY_KEY["contacts_entered_late"]
    assert f'href="{reverse("reports:" + late.url_name)}?quarter={QUARTER}"' in text
    # The partnership's totals and other organisations' rows link nowhere.
    assert reverse("reports:" + BY_KEY["date_of_birth"].url_name) not in text
    assert text.count(f"{reverse('reports:' + late.url_name)}?") == 1


def test_another_organisations_report_links_nothing(cast, client_as, records):
    response = client_as(cast.manager).get(
        REPORT, {"scope": f"organisation:{cast.football_trust.pk}", "quarter": QUARTER}
    )

    assert response.status_code == 200
    for problem in PROBLEMS:
        assert reverse("reports:" + problem.url_name) not in response.text
