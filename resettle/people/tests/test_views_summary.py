"""A person's summary: their custody status, who works with them, live referrals, what is coming
up and the alerts, each only where the policy lets the reader see it, in a fixed number of
queries; identifiers labelled once; every section of the record reachable from its navigation."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditEvent
from resettle.cases.models import Case, CaseState, CloseReason, Task, TaskKind
from resettle.custody.models import CustodyKind, CustodyPeriod, ReleaseType
from resettle.directory.models import Access, Service
from resettle.people.choices import ContactWishes, RelationshipKind
from resettle.people.models import Person, Relationship
from resettle.people.selectors import custody_status
from resettle.people.templatetags.people_tags import MORE_SECTIONS
from resettle.people.tests.sharing import make_consent
from resettle.referrals.models import Referral, ReferralState
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def casework_shared(share):
    """Custody, case notes, risk and suitability, family and criminal-justice identifiers are
    shared with the lead charity and the mentoring charity, never with the football trust."""
    return share(
        categories=[
            Category.CUSTODY,
            Category.CASE_NOTES,
            Category.RISK_SUITABILITY,
            Category.FAMILY_CHILDREN,
            Category.CRIMINAL_JUSTICE_IDS,
        ],
        kinds=[
            OrganisationKind.LEAD_CHARITY,
            OrganisationKind.MENTORING,
            OrganisationKind.PROBATION,
        ],
    )


@pytest.fixture
def football(cast) -> Service:
    return Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday referral football",
        description="A coached session for adults, by referral only.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
    )


def detail_url(person: Person) -> str:
    return reverse("people:detail", args=[person.pk])


def add_history(cast, person: Person, football: Service, *, times: int) -> None:
    """`times` of each kind of record the summary reads: custody periods (the last one current),
    live cases with other organisations (each with a task), and live referrals."""
    for n in range(times):
        start = TODAY - timedelta(days=2000 - 300 * n)
        released = n < times - 1
        CustodyPeriod.objects.create(
            person=person,
            kind=CustodyKind.SENTENCE,
            start_date=start,
            establishment="HMP Ashcombe",
            expected_release_date=start + timedelta(days=200),
            released_on=start + timedelta(days=200) if released else None,
            release_type=ReleaseType.CONDITIONAL if released else "",
            recorded_by=cast.probation.user,
        )
        Referral.objects.create(
            person=person,
            service=football,
            referring_organisation=cast.lead_charity,
            referred_by=cast.caseworker.user,
            state=ReferralState.SUBMITTED,
            reason="Wants to play football again.",
            pathway="sport",
            submitted_at=timezone.now(),
        )
    # One live case an organisation: the lead charity's and probation's first, then others'.
    workers = [cast.caseworker, cast.probation, cast.prison, cast.housing, cast.family]
    for n, actor in enumerate(workers[: max(times, 2)]):
        case = Case.objects.create(
            person=person,
            organisation=actor.organisation,
            worker=actor.user,
            mentor=cast.mentor.user if actor == cast.caseworker else None,
            opened_on=TODAY - timedelta(days=n),
        )
        Task.objects.create(
            case=case,
            kind=TaskKind.REVIEW,
            title=f"Review {n}",
            due_at=timezone.now() + timedelta(days=n + 1),
            assigned_to=actor.user,
        )


@pytest.fixture
def lee(cast, make_person, casework_shared, football) -> Person:
    """In custody on a sentence, worked with by probation, the lead charity, the mentor and the
    football trust (which has his referral), with one case, task and referral of each."""
    person = make_person(
        cast.probation,
        cast.caseworker,
        cast.mentor,
        cast.coordinator,
        given_name="Lee",
        family_name="Ashdown",
        identifiers={"prison_number": "A1234BC"},
    )
    add_history(cast, person, football, times=1)
    return person


# What the summary shows


def test_caseworker_sees_status_workers_referrals_and_tasks(client_as, cast, lee):
    response = client_as(cast.caseworker).get(detail_url(lee))
    assert response.status_code == 200
    text = response.text
    assert "In custody" in text
    assert "HMP Ashcombe" in text
    expected = lee.custody_periods.get().expected_release_date
    assert f"{expected:%-d %B %Y}" in text
    # Both organisations' live cases, with their workers and the mentor.
    assert "2 live cases with 2 organisations" in text
    assert cast.lead_charity.name in text and cast.probation_unit.name in text
    assert f"Mentor: {cast.mentor.user.get_full_name() or cast.mentor.user.username}" in text
    assert "Tuesday referral football" in text and "Submitted" in text
    assert "Task: Review 0" in text


def test_a_partner_without_custody_or_case_notes_sees_neither(client_as, cast, lee):
    text = client_as(cast.coordinator).get(detail_url(lee)).text
    assert "Ashdown" in text
    assert "HMP Ashcombe" not in text
    assert "In custody" not in text
    assert ">Status<" not in text
    # Its own organisation has no case; the lead charity's and probation's are case notes.
    assert cast.lead_charity.name not in text
    assert cast.probation_unit.name not in text
    assert "Review 0" not in text
    assert "No live cases that you can see." in text
    # Nor the prison number, a criminal-justice identifier.
    assert "A1234BC" not in text


def test_a_partner_sees_its_own_case_only(client_as, cast, lee):
    Case.objects.create(
        person=lee, organisation=cast.football_trust, worker=cast.coordinator.user, opened_on=TODAY
    )
    text = client_as(cast.coordinator).get(detail_url(lee)).text
    assert "1 live case with 1 organisation" in text
    assert cast.football_trust.name in text
    assert cast.lead_charity.name not in text


def test_closed_cases_and_ended_referrals_are_not_live(client_as, cast, lee):
    Case.objects.filter(person=lee).update(
        state=CaseState.CLOSED, closed_on=TODAY, close_reason=CloseReason.GOALS_MET
    )
    Referral.objects.filter(person=lee).update(state=ReferralState.WITHDRAWN)
    text = client_as(cast.caseworker).get(detail_url(lee)).text
    assert "No live cases that you can see." in text
    assert "No live referrals that you can see." in text


def test_the_summary_read_is_audited_by_category(client_as, cast, lee):
    client_as(cast.caseworker).get(detail_url(lee))
    read = set(
        AuditEvent.objects.filter(person_id=lee.pk, user_id=cast.caseworker.user.pk).values_list(
            "category", flat=True
        )
    )
    assert {Category.IDENTITY, Category.CUSTODY, Category.CASE_NOTES} <= read


# Status


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({}, "In custody"),
        ({"kind": CustodyKind.REMAND}, "On remand"),
        (
            {
                "released_on": TODAY - timedelta(days=9),
                "licence_end_date": TODAY + timedelta(days=90),
            },
            "Released on licence",
        ),
        (
            {
                "released_on": TODAY - timedelta(days=400),
                "licence_end_date": TODAY - timedelta(days=9),
            },
            "In the community",
        ),
        (
            {"released_on": TODAY - timedelta(days=60), "recalled_on": TODAY - timedelta(days=9)},
            "Recalled to custody",
        ),
    ],
)
def test_custody_status_reads_from_the_latest_period(fields, label):
    values = {"kind": CustodyKind.SENTENCE, "start_date": TODAY - timedelta(days=500)} | fields
    assert custody_status(CustodyPeriod(**values), TODAY).label == label


def test_no_custody_recorded_says_so():
    assert custody_status(None, TODAY).label == "No custody recorded"


def test_a_release_replaces_the_expected_date(client_as, cast, lee):
    period = lee.custody_periods.get()
    period.released_on = TODAY - timedelta(days=3)
    period.release_type = ReleaseType.CONDITIONAL
    period.licence_end_date = TODAY + timedelta(days=200)
    period.save()
    text = client_as(cast.caseworker).get(detail_url(lee)).text
    assert "Released on licence" in text
    assert "Expected release" not in text
    assert f"{period.licence_end_date:%-d %B %Y}" in text


# Alerts


def test_alerts_show_recall_restrictions_no_contact_and_lapsed_consent(
    client_as, cast, lee, make_person
):
    period = lee.custody_periods.get()
    period.released_on = TODAY - timedelta(days=60)
    period.recalled_on = TODAY - timedelta(days=5)
    period.save()
    record(cast.probation, lee, two_staff_needed="yes")
    child = make_person(cast.caseworker, given_name="Kit", family_name="Ashdown")
    Relationship.objects.create(
        person=lee,
        related_person=child,
        kind=RelationshipKind.CHILD,
        contact_wishes=ContactWishes.NO_CONTACT,
    )
    make_consent(
        lee,
        categories=[Category.HEALTH],
        kinds=[OrganisationKind.LEAD_CHARITY],
        expires_on=TODAY - timedelta(days=1),
        given_on=TODAY - timedelta(days=200),
    )
    text = client_as(cast.caseworker).get(detail_url(lee)).text
    alerts = text[text.index(">Alerts<") : text.index(">Status<")]
    assert f"Recalled to custody on {period.recalled_on:%-d %B %Y}" in alerts
    assert "May attend group sessions where under-18s are present: no" in alerts
    assert "Two staff needed" in alerts
    assert "No contact wanted with 1 family member" in alerts
    assert f"Consent expired on {TODAY - timedelta(days=1):%-d %B %Y}" in alerts


def test_a_partner_sees_no_alerts_from_categories_it_may_not_read(
    client_as, cast, lee, make_person
):
    period = lee.custody_periods.get()
    period.released_on = TODAY - timedelta(days=60)
    period.recalled_on = TODAY - timedelta(days=5)
    period.save()
    child = make_person(cast.caseworker, given_name="Kit", family_name="Ashdown")
    Relationship.objects.create(
        person=lee,
        related_person=child,
        kind=RelationshipKind.CHILD,
        contact_wishes=ContactWishes.NO_CONTACT,
    )
    text = client_as(cast.coordinator).get(detail_url(lee)).text
    assert "Recalled" not in text
    assert "No contact wanted" not in text


def test_those_who_may_log_a_contact_find_it_first_on_the_summary(client_as, cast, lee):
    Case.objects.create(
        person=lee,
        organisation=cast.mentor.organisation,
        mentor=cast.mentor.user,
        opened_on=TODAY,
    )
    log = reverse("contacts:create", args=[lee.pk])
    for actor in (cast.mentor, cast.caseworker):
        text = client_as(actor).get(detail_url(lee)).text
        assert f'href="{log}"' in text
        # Above the first card, so a phone shows it without scrolling.
        assert text.index(log) < text.index("govuk-summary-card")
    # The football trust works with Lee but has no case of its own to log a contact on.
    assert log not in client_as(cast.coordinator).get(detail_url(lee)).text


# Identifiers and navigation


def test_identifiers_are_labelled_once(client_as, cast, lee):
    text = client_as(cast.caseworker).get(detail_url(lee)).text
    assert text.count("A1234BC") == 1
    assert re.search(r"Prison number</dt>\s*<dd[^>]*>\s*A1234BC", text)


def test_other_pages_of_the_record_keep_identifiers_in_the_header(client_as, cast, lee):
    text = client_as(cast.caseworker).get(reverse("cases:person", args=[lee.pk])).text
    assert "A1234BC" in text
    # On a phone they are folded under "Details", below the name and age.
    details = text[text.index("app-person-header__disclosure") :]
    assert "A1234BC" in details[: details.index("</details>")]


def test_every_section_is_reachable_from_the_navigation(client_as, cast, lee):
    text = client_as(cast.caseworker).get(detail_url(lee)).text
    start = text.index('class="moj-sub-navigation app-person-nav"')
    nav = text[start : text.index("</nav>", start)]
    for name in [
        "people:family",
        "suitability:person",
        "consent:person_consents",
        "appointments:person_list",
        "outcomes:person",
        "custody:timeline",
        "cases:person",
        "contacts:person_list",
        "plans:person_plan",
        "referrals:person",
        "custody:person",
    ]:
        assert reverse(name, args=[lee.pk]) in nav, name
    top, more = nav.split("app-person-nav__more-list")
    assert reverse("people:family", args=[lee.pk]) in more
    assert reverse("cases:person", args=[lee.pk]) in top


def test_the_more_group_is_marked_when_it_holds_the_page(client_as, cast, lee):
    assert "family" in MORE_SECTIONS
    text = client_as(cast.caseworker).get(reverse("people:family", args=[lee.pk])).text
    assert "app-person-nav__more--current" in text
    assert ", including this page" in text
    summary = client_as(cast.caseworker).get(detail_url(lee)).text
    assert "app-person-nav__more--current" not in summary


# Refusals


@pytest.mark.parametrize("role", ["outsider", "housing", "analyst"])
def test_people_not_working_with_the_person_get_a_404(client_as, cast, lee, role):
    response = client_as(getattr(cast, role)).get(detail_url(lee))
    assert response.status_code == 404
    assert "HMP Ashcombe" not in response.text


def test_anonymous_is_sent_to_sign_in(client_as, lee):
    assert client_as(None).get(detail_url(lee)).status_code == 302


def test_the_summary_accepts_only_get(client_as, cast, lee):
    assert client_as(cast.caseworker).post(detail_url(lee)).status_code == 405


# Cost


def test_the_summary_costs_the_same_queries_however_long_the_history(
    client_as,
    cast,
    make_person,
    casework_shared,
    football,
    django_assert_num_queries,
    count_queries,
):
    short = make_person(cast.probation, cast.caseworker, cast.mentor, given_name="Short")
    add_history(cast, short, football, times=1)
    long = make_person(cast.probation, cast.caseworker, cast.mentor, given_name="Long")
    add_history(cast, long, football, times=6)
    client = client_as(cast.caseworker)
    client.get(detail_url(short))  # the session and caches warm up
    with count_queries() as first:
        assert client.get(detail_url(short)).status_code == 200
    with count_queries() as second:
        response = client.get(detail_url(long))
    assert response.status_code == 200
    assert "See all live referrals" in response.text
    assert len(first) == len(second), [q["sql"][:80] for q in second.captured_queries]
