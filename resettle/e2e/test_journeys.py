"""Journeys through Resettle in a real browser, as the people who use it (DESIGN §2)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.people.models import Person

pytestmark = pytest.mark.e2e

DEMO_USERNAMES = [
    "probation",
    "prison",
    "caseworker",
    "mentor",
    "coordinator",
    "family",
    "housing",
    "manager",
    "analyst",
    "admin",
    "safeguarding",
]


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_each_demo_role_signs_in_and_reaches_home(page, sign_in, demo, username):
    sign_in(username, demo)
    expect(page.page).to_have_url(re.compile(re.escape(page.url_for(reverse("web:home"))) + "$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_wrong_password_shows_the_error_summary(page, sign_in, cast):
    sign_in("caseworker", "not-the-password-at-all")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def test_caseworker_finds_a_person_by_nickname_and_opens_their_family(
    page, sign_in, cast, make_person
):
    william = make_person(cast.caseworker, given_name="William", family_name="Turner")
    make_person(cast.caseworker, given_name="Jane", family_name="Osei")
    sign_in("caseworker", cast.password)
    page.goto(reverse("people:list"), "people")
    page.locator("main input[name='q']").fill("Bill Turner")
    page.click(page.get_by_role("button", name=re.compile("Search", re.I)), "search-bill")
    results = page.locator("main")
    expect(results.get_by_role("link", name=re.compile("William Turner"))).to_be_visible()
    expect(results.get_by_text("Jane Osei")).to_have_count(0)
    page.click(results.get_by_role("link", name=re.compile("William Turner")), "person")
    expect(page.page).to_have_url(re.compile(str(william.pk)))
    expect(page.get_by_role("heading", level=1)).to_contain_text("William Turner")
    # The rarer sections of a record are grouped under "More".
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Family", exact=True), "family")
    expect(page.page).to_have_url(re.compile(reverse("people:family", args=[william.pk]) + "$"))


def fill_date(page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def test_caseworker_adds_a_person_after_correcting_errors(page, sign_in, cast, share):
    # The lead charity records prison numbers under an agreement, as in the demo.
    share(categories=[Category.CRIMINAL_JUSTICE_IDS], kinds=[OrganisationKind.LEAD_CHARITY])
    sign_in("caseworker", cast.password)
    page.goto(reverse("people:create"), "new-person")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Okafor")
    fill_date(page, "Date of birth", date.today() + timedelta(days=10))
    page.get_by_label(re.compile("^Prison number")).fill("12345")
    save = page.get_by_role("button", name=re.compile("Save|Continue|Add", re.I))
    page.click(save, "new-person-errors")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("in the past"))).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("A1234BC"))).to_be_visible()
    expect(page.page).to_have_title(re.compile("^Error: "))
    assert not Person.objects.exists()

    fill_date(page, "Date of birth", date(1990, 5, 17))
    page.get_by_label(re.compile("^Prison number")).fill("a1234bc")
    page.click(save, "new-person-saved")
    person = Person.objects.get()
    expect(page.page).to_have_url(re.compile(reverse("people:detail", args=[person.pk]) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana Okafor")
    expect(page.locator("main")).to_contain_text("A1234BC")


def test_mentor_sees_only_their_own_mentees(page, sign_in, cast, make_person):
    make_person(cast.mentor, given_name="Marcus", family_name="Reid")
    make_person(cast.caseworker, given_name="Priya", family_name="Shah")
    sign_in("mentor", cast.password)
    page.goto(reverse("people:list"), "mentees")
    main = page.locator("main")
    expect(main.get_by_role("link", name=re.compile("Marcus Reid"))).to_be_visible()
    expect(main.get_by_text("Priya Shah")).to_have_count(0)


def test_mentor_cannot_open_someone_else_by_address(page, sign_in, cast, make_person):
    other = make_person(cast.caseworker, given_name="Priya", family_name="Shah")
    sign_in("mentor", cast.password)
    response = page.goto(reverse("people:detail", args=[other.pk]), "not-found")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Priya")


def test_keyboard_user_skips_to_content_and_reaches_the_search_field(page, sign_in, cast):
    sign_in("caseworker", cast.password)
    page.goto(reverse("people:list"), "people")
    page.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.press("Enter", "skipped")
    expect(page.locator("#main-content")).to_be_focused()
    search = page.locator("main input[name='q']")
    for _ in range(10):
        if search.evaluate("el => el === document.activeElement"):
            break
        page.press("Tab")
    expect(search).to_be_focused()
    search.press_sequentially("Smith")
    page.press("Enter", "searched")
    expect(page.page).to_have_url(re.compile(r"q=Smith"))
