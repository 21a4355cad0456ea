"""The whole family in a real browser, on a desktop and on a phone: the family-support worker
sees, on the family view of the child they support, the imprisoned father's release date, which
he consented to share with family services, and nothing else of his record; a safeguarding lead
breaks glass on a father's family information and is told who his children are; a football
trust coordinator moves an urgent referral up the waiting list with a reason. Every page is
checked with axe."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.directory.models import Access, Service
from resettle.e2e.test_person_summary import save_shot, sign_in_on
from resettle.partnerships.models import LawfulBasis
from resettle.people.tests.sharing import make_agreement, make_consent, make_relationship
from resettle.referrals.models import Referral, ReferralState

pytestmark = pytest.mark.e2e

RELEASE = date.today() + timedelta(days=40)


@pytest.fixture
def mia(cast, make_person):
    child = make_person(cast.family, given_name="Mia", family_name="Holt")
    father = make_person(cast.caseworker, given_name="Dean", family_name="Holt")
    make_relationship(child, father, "parent")
    CustodyPeriod.objects.create(
        person=father,
        kind=CustodyKind.SENTENCE,
        start_date=date.today() - timedelta(days=300),
        establishment="HMP Northshire",
        expected_release_date=RELEASE,
        recorded_by=cast.probation.user,
    )
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.FAMILY_CHILDREN, Category.CUSTODY],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
        basis=LawfulBasis.CONSENT,
    )
    make_consent(child, categories=[Category.FAMILY_CHILDREN], kinds=["family_support"])
    make_consent(father, categories=[Category.CUSTODY], kinds=["family_support"])
    return child


def _release_date_shown(page) -> None:
    main = page.locator("main")
    expect(main).to_contain_text("Dean Holt, parent")
    expect(main).to_contain_text("In custody")
    expect(main).to_contain_text(f"{RELEASE:%-d %B %Y}")
    expect(main).to_contain_text("agreed to share their release and licence dates")


def test_the_family_worker_plans_around_a_fathers_release(page, cast, mia):
    sign_in_on(page, "family", cast.password)
    page.goto(reverse("people:family", args=[mia.pk]), "family")
    page.click(page.get_by_role("link", name="Support across the family"), "family-support")
    _release_date_shown(page)
    save_shot(page, "family-view-desktop-after.png")


def test_the_family_worker_reads_it_on_a_phone(phone_page, cast, mia):
    sign_in_on(phone_page, "family", cast.password)
    phone_page.goto(reverse("contacts:family_support", args=[mia.pk]), "family-support")
    _release_date_shown(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    save_shot(phone_page, "family-view-phone-after.png")


def test_a_safeguarding_lead_breaks_glass_and_is_told_who_the_children_are(page, cast, make_person):
    father = make_person(cast.safeguarding, given_name="Dean", family_name="Holt")
    child = make_person(
        cast.family,
        given_name="Mia",
        family_name="Holt",
        date_of_birth=date.today() - timedelta(days=9 * 365),
    )
    make_relationship(father, child, "child")
    sign_in_on(page, "safeguarding", cast.password)
    page.goto(reverse("contacts:family_support", args=[father.pk]), "family-not-shared")
    expect(page.locator("main")).to_contain_text("not shared with your organisation")

    page.goto(reverse("access:break_glass", args=[father.pk]), "break-glass")
    page.get_by_label("Family and children").check()
    page.get_by_label("Why do you need to see it now?").fill(
        "He disclosed today that the children may not be safe at home this weekend."
    )
    page.get_by_label("1 hour").check()
    page.click(page.get_by_role("button", name="Break glass and open the record"), "opened")
    page.goto(reverse("contacts:family_support", args=[father.pk]), "family-named")
    main = page.locator("main")
    expect(main).to_contain_text("Mia Holt")
    expect(main).to_contain_text("Under 18")
    expect(main).to_contain_text("Break-glass")


def test_a_coordinator_moves_an_urgent_need_up_the_waiting_list(page, cast, make_person):
    session = Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday referral football",
        description="A coached session for adults, by referral only.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
        has_waiting_list=True,
    )
    names = ("Ash", "Bo", "Cal")
    for days, name in zip((9, 6, 3), names, strict=True):
        person = make_person(cast.probation, cast.coordinator, given_name=name, family_name="Lane")
        Referral.objects.create(
            person=person,
            service=session,
            referring_organisation=cast.probation_unit,
            referred_by=cast.probation.user,
            state=ReferralState.WAITING_LIST,
            reason="Wants to play football again.",
            pathway="sport",
            submitted_at=timezone.now() - timedelta(days=days + 1),
            waiting_since=timezone.now() - timedelta(days=days),
        )
    sign_in_on(page, "coordinator", cast.password)
    page.goto(reverse("referrals:service_waiting_list", args=[session.pk]), "waiting-list")
    page.click(page.get_by_role("link", name=re.compile(r"^Up\W+Cal Lane$")), "move-up")
    page.click(page.get_by_role("button", name="Move up"), "no-reason")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why this referral should move"
    )
    page.get_by_label("Why should it move?").fill("Starts a job next month; Tuesdays only.")
    page.click(page.get_by_role("button", name="Move up"), "moved")
    main = page.locator("main")
    expect(main).to_contain_text("Cal Lane is now number 2 on the waiting list")
    rows = page.locator("main table").first.locator("tbody tr td:nth-child(2)")
    expect(rows).to_have_text(["Ash Lane", "Cal Lane", "Bo Lane"])
    expect(main).to_contain_text("Starts a job next month; Tuesdays only.")
