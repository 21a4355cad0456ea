"""A person's summary in a real browser, on a desktop and on a phone: status at a glance, who
works with them, live referrals and alerts for the lead charity's caseworker; none of the
custody or other organisations' cases for the football trust; the record's sections on one line
with the rarer ones under "More". Every page is checked with axe; the two summaries are also
saved for the release note."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.cases.models import Case, Task, TaskKind
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.directory.models import Access, Service
from resettle.people.models import Person
from resettle.referrals.models import Referral, ReferralState
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.e2e

# Where the release note's before-and-after pictures are kept.
SHOTS = Path("/work/briefs/shots")
TODAY = date.today()


def sign_in_on(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"), "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.click(page.get_by_role("button", name="Sign in"), f"signed-in-as-{username}")


def save_shot(page, name: str, *, full_page: bool = True) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=SHOTS / name, full_page=full_page)


@pytest.fixture
def lee(cast, make_person, share) -> Person:
    share(
        categories=[
            Category.CUSTODY,
            Category.CASE_NOTES,
            Category.RISK_SUITABILITY,
            Category.CRIMINAL_JUSTICE_IDS,
        ],
        kinds=[OrganisationKind.LEAD_CHARITY, OrganisationKind.PROBATION],
    )
    person = make_person(
        cast.probation,
        cast.caseworker,
        cast.coordinator,
        given_name="Lee",
        family_name="Ashdown",
        date_of_birth=date(1988, 3, 14),
        identifiers={"prison_number": "A1234BC", "crn": "X123456"},
    )
    CustodyPeriod.objects.create(
        person=person,
        kind=CustodyKind.SENTENCE,
        start_date=TODAY - timedelta(days=300),
        establishment="HMP Ashcombe",
        expected_release_date=TODAY + timedelta(days=40),
        recorded_by=cast.probation.user,
    )
    for actor in (cast.caseworker, cast.probation):
        case = Case.objects.create(
            person=person,
            organisation=actor.organisation,
            worker=actor.user,
            mentor=cast.mentor.user if actor == cast.caseworker else None,
            opened_on=TODAY - timedelta(days=30),
        )
    Task.objects.create(
        case=case,
        kind=TaskKind.GATE_MEETING,
        title="Meet Lee at the gate",
        due_at=timezone.now() + timedelta(days=40),
        assigned_to=cast.probation.user,
    )
    football = Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday referral football",
        description="A coached session for adults, by referral only.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
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
    record(cast.probation, person, two_staff_needed="yes")
    return person


def test_a_caseworker_reads_the_summary_on_a_desktop(page, cast, lee):
    sign_in_on(page, "caseworker", cast.password)
    page.goto(reverse("people:detail", args=[lee.pk]), "summary")
    main = page.locator("main")
    expect(main).to_contain_text("In custody")
    expect(main).to_contain_text(f"{TODAY + timedelta(days=40):%-d %B %Y}")
    expect(main).to_contain_text("2 live cases with 2 organisations")
    expect(main).to_contain_text("Tuesday referral football")
    expect(main).to_contain_text("Two staff needed")
    # Each identifier once, labelled with its scheme.
    expect(main.get_by_text("A1234BC")).to_have_count(1)

    # The sections fit on one line: every top-level item starts at the same height.
    tops = page.locator(".app-person-nav > ul > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    save_shot(page, "person-summary-desktop-after.png")

    # The rarer sections are one click away, and "More" is marked while one of them is shown.
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Suitability", exact=True), "suitability")
    expect(page.page).to_have_url(re.compile(reverse("suitability:person", args=[lee.pk]) + "$"))
    expect(page.locator(".app-person-nav__more--current")).to_have_count(1)


def test_a_caseworker_reads_the_summary_on_a_phone(phone_page, cast, lee):
    page = phone_page
    sign_in_on(page, "caseworker", cast.password)
    page.goto(reverse("people:detail", args=[lee.pk]), "summary")
    expect(page.locator("main")).to_contain_text("In custody")
    # Nothing scrolls sideways at 390 pixels.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    save_shot(page, "person-summary-phone-after.png")
    save_shot(page, "person-summary-phone-first-screen-after.png", full_page=False)
    page.locator("summary", has_text="More").click()
    expect(page.get_by_role("link", name="Family", exact=True)).to_be_visible()
    page.checkpoint("more-open")


def test_the_football_trust_sees_no_custody_or_other_cases(page, cast, lee):
    sign_in_on(page, "coordinator", cast.password)
    page.goto(reverse("people:detail", args=[lee.pk]), "summary")
    main = page.locator("main")
    expect(main).to_contain_text("Lee Ashdown")
    expect(main).to_contain_text("Tuesday referral football")
    expect(main).not_to_contain_text("HMP Ashcombe")
    expect(main).not_to_contain_text("In custody")
    expect(main).not_to_contain_text(cast.lead_charity.name)
    expect(main).to_contain_text("No live cases that you can see.")
