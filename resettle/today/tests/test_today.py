from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.appointments.tests.conftest import booked
from resettle.cases.models import Case, CaseState, Task, TaskKind
from resettle.contacts.models import Contact
from resettle.custody.models import CustodyPeriod
from resettle.directory.models import Service
from resettle.people.tests.sharing import make_agreement
from resettle.registers.models import Session

pytestmark = pytest.mark.django_db
TODAY = date.today()


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def custody_shared(cast):
    return make_agreement(
        cast.partnership,
        owner=cast.probation_unit,
        categories=[Category.CUSTODY],
        kinds=[OrganisationKind.LEAD_CHARITY, OrganisationKind.MENTORING],
    )


def open_case(actor, person, *, mentor=False, **fields) -> Case:
    fields.setdefault("opened_on", TODAY - timedelta(days=60))
    who = {"mentor": actor.user} if mentor else {"worker": actor.user}
    return Case.objects.create(person=person, organisation=actor.organisation, **who, **fields)


def contact(case, actor, days_ago: int, outcome: str = "attended") -> Contact:
    return Contact.objects.create(
        person=case.person,
        case=case,
        organisation=case.organisation,
        recorded_by=actor.user,
        kind="face_to_face",
        happened_at=timezone.now() - timedelta(days=days_ago),
        outcome=outcome,
    )


def in_custody(person, recorder, release_on: date) -> CustodyPeriod:
    return CustodyPeriod.objects.create(
        person=person,
        kind="sentence",
        start_date=TODAY - timedelta(days=300),
        establishment="HMP Northshire",
        expected_release_date=release_on,
        recorded_by=recorder.user,
    )


def test_a_mentor_sees_a_gate_meeting_first_with_time_and_place(
    client, cast, make_person, custody_shared
):
    person = make_person(cast.mentor, given_name="Gate", family_name="Person")
    case = open_case(cast.mentor, person, mentor=True)
    in_custody(person, cast.probation, TODAY)
    Task.objects.create(
        case=case,
        kind=TaskKind.APPOINTMENT,
        title="Housing appointment",
        due_at=at(TODAY, 7),
        assigned_to=cast.mentor.user,
    )
    Task.objects.create(
        case=case,
        kind=TaskKind.GATE_MEETING,
        title="Meet Gate Person at the gate",
        due_at=at(TODAY, 8),
        place="Gate of HMP Northshire",
        assigned_to=cast.mentor.user,
    )
    client.force_login(cast.mentor.user)
    response = client.get(reverse("today:today"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Gate meetings today") < body.index("Housing appointment")
    assert "08:00" in body and "Gate of HMP Northshire" in body
    today = response.context["today"]
    assert [c.person for c in today.releases] == [person]


def test_it_lists_overdue_reviews_recalls_and_quiet_cases(client, cast, make_person):
    quiet = open_case(cast.caseworker, make_person(cast.caseworker, given_name="Quiet"))
    contact(quiet, cast.caseworker, days_ago=20)
    seen = open_case(
        cast.caseworker,
        make_person(cast.caseworker, given_name="Seen"),
        next_review_on=TODAY - timedelta(days=2),
    )
    contact(seen, cast.caseworker, days_ago=3)
    contact(seen, cast.caseworker, days_ago=1, outcome="did_not_attend")
    recalled = open_case(
        cast.caseworker,
        make_person(cast.caseworker, given_name="Recalled"),
        state=CaseState.PAUSED,
        pause_reason="Recalled to custody",
    )
    contact(recalled, cast.caseworker, days_ago=5)
    # Not theirs: a colleague's case, and a closed one.
    open_case(cast.safeguarding, make_person(cast.caseworker, given_name="Colleague"))
    client.force_login(cast.caseworker.user)
    today = client.get(reverse("today:today")).context["today"]
    assert [c.person.given_name for c in today.no_contact] == ["Quiet"]
    assert [c.person.given_name for c in today.reviews_due] == ["Seen"]
    assert [c.person.given_name for c in today.recalled] == ["Recalled"]
    wider = client.get(reverse("today:today"), {"days": "4"}).context["today"]
    assert {c.person.given_name for c in wider.no_contact} == {"Quiet", "Recalled"}
    refused = client.get(reverse("today:today"), {"days": "0"})
    assert "Days must be 1 or more" in refused.content.decode()
    assert refused.context["today"].no_contact_days == 14


def test_a_long_list_shows_its_first_ten_and_the_rest_when_asked(client, cast, make_person):
    for n in range(13):
        case = open_case(cast.caseworker, make_person(cast.caseworker, given_name=f"Quiet{n:02}"))
        if n:  # the longest without contact first: Quiet00 never seen, then Quiet12, 11, ...
            contact(case, cast.caseworker, days_ago=15 + n)
    client.force_login(cast.caseworker.user)
    page = client.get(reverse("today:today"))
    html = page.content.decode()
    assert "No contact for 14 days or more (13)" in html
    assert html.index("Quiet00") < html.index("Quiet12") < html.index("Quiet04")
    assert "Quiet04" in html and "Quiet03" not in html
    assert 'href="?all=no_contact#no-contact">Show all 13' in html
    whole = client.get(reverse("today:today"), {"all": "no_contact", "days": "14"})
    assert "Quiet01" in whole.content.decode()
    assert "Show all 13" not in whole.content.decode()
    # The days form keeps the whole list open; an unknown list name is ignored.
    assert '<input type="hidden" name="all" value="no_contact">' in whole.content.decode()
    odd = client.get(reverse("today:today"), {"all": "everything"})
    assert odd.status_code == 200 and "Quiet01" not in odd.content.decode()


def test_the_today_page_links_to_the_records_to_fix_for_those_who_fix_them(client, cast):
    records = reverse("reports:data_quality_records")
    client.force_login(cast.caseworker.user)
    assert f'href="{records}"' in client.get(reverse("today:today")).content.decode()
    # A peer mentor fixes no organisation's records: no link.
    client.force_login(cast.mentor.user)
    assert f'href="{records}"' not in client.get(reverse("today:today")).content.decode()


def test_aggregate_roles_have_no_today_or_caseload(client, cast):
    client.force_login(cast.analyst.user)
    assert client.get(reverse("today:today")).status_code == 403
    assert client.get(reverse("today:caseload")).status_code == 403


def test_the_caseload_sorts_filters_and_pages(client, cast, make_person, custody_shared):
    for n in range(27):
        person = make_person(cast.caseworker, given_name=f"P{n:02}", family_name=f"F{n:02}")
        case = open_case(
            cast.caseworker, person, state=CaseState.PAUSED if n % 9 == 0 else CaseState.OPEN
        )
        if n == 5:
            in_custody(person, cast.probation, TODAY + timedelta(days=3))
        if n == 7:
            contact(case, cast.caseworker, days_ago=1)
    client.force_login(cast.caseworker.user)
    url = reverse("today:caseload")
    first = client.get(url)
    assert first.context["page_obj"].paginator.count == 27
    assert len(first.context["cases"]) == 25
    by_release = client.get(url, {"sort": "release"}).context["cases"]
    assert by_release[0].person.given_name == "P05"
    by_contact = client.get(url, {"sort": "-last_contact"}).context["cases"]
    assert by_contact[0].person.given_name == "P07"
    paused = client.get(url, {"state": "paused"}).context["cases"]
    assert [c.person.given_name for c in paused] == ["P00", "P09", "P18"]
    found = client.get(url, {"q": "F13"}).context["cases"]
    assert [c.person.given_name for c in found] == ["P13"]
    descending = client.get(url, {"sort": "-name"}).context["cases"]
    assert descending[0].person.given_name == "P26"


def _queries(count_queries, client, url) -> int:
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The queries each page reads, whatever the caseload: today's includes one for the actor's
# appointments (today's, and earlier ones awaiting their outcome); the caseload's next
# appointment is a subquery of its one list query; today's reads the organisation's outcome
# schedules (none here: the outcomes tests pin the page with them), and one for today's sessions.
PINNED = {"today:today": 10, "caseload": 7}


@pytest.mark.parametrize("route", ["today:today", "caseload"])
def test_query_counts_do_not_grow_with_the_caseload(
    count_queries, client, cast, make_person, custody_shared, route
):
    url = reverse(route if ":" in route else f"today:{route}")
    service = Service.objects.create(
        organisation=cast.lead_charity, name="Drop-in", description="Weekly", access="open"
    )

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            Session.objects.create(
                service=service, starts_at=at(TODAY, 14), ends_at=at(TODAY, 15), place="Hall"
            )
            person = make_person(cast.caseworker, given_name=f"Q{n}")
            case = open_case(cast.caseworker, person, next_review_on=TODAY - timedelta(days=1))
            contact(case, cast.caseworker, days_ago=30)
            in_custody(person, cast.probation, TODAY + timedelta(days=2))
            Task.objects.create(
                case=case,
                kind=TaskKind.GATE_MEETING,
                title="Gate",
                due_at=at(TODAY, 9),
                place="Gate",
                assigned_to=cast.caseworker.user,
            )
            # One today, one earlier still waiting for its outcome, and one next week.
            booked(cast.caseworker, case, at(TODAY, 10))
            booked(cast.caseworker, case, at(TODAY - timedelta(days=2), 10))
            booked(cast.caseworker, case, at(TODAY + timedelta(days=7), 10))

    client.force_login(cast.caseworker.user)
    _queries(count_queries, client, url)  # the first request after signing in saves the session
    add(5, 0)
    few = _queries(count_queries, client, url)
    add(45, 5)
    many = _queries(count_queries, client, url)
    assert few == many == PINNED[route]


def test_a_coordinator_sees_todays_sessions_with_a_link_to_each_register(client, cast):
    service = Service.objects.create(
        organisation=cast.coordinator.organisation,
        name="Tuesday football",
        description="Weekly",
        access="open",
    )
    today = Session.objects.create(
        service=service, starts_at=at(TODAY, 18), ends_at=at(TODAY, 19), place="Pitch 2"
    )
    Session.objects.create(
        service=service,
        starts_at=at(TODAY + timedelta(days=7), 18),
        ends_at=at(TODAY + timedelta(days=7), 19),
    )
    client.force_login(cast.coordinator.user)

    page = client.get(reverse("today:today")).content.decode()

    assert "Sessions today" in page
    assert reverse("registers:register", args=[today.pk]) in page
    assert page.count("Tuesday football") == 1


def test_someone_elses_sessions_are_not_on_today(client, cast):
    service = Service.objects.create(
        organisation=cast.coordinator.organisation,
        name="Their football",
        description="Weekly",
        access="open",
    )
    Session.objects.create(service=service, starts_at=at(TODAY, 18), ends_at=at(TODAY, 19))
    client.force_login(cast.caseworker.user)

    assert "Their football" not in client.get(reverse("today:today")).content.decode()
