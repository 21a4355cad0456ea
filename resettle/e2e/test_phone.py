"""Phone first, on the demo partnership: every page a peer mentor, the lead charity's caseworker
and the football trust's coordinator use, opened on a 390 by 844 phone. None scrolls sideways, axe
finds nothing, and on a person's summary and contacts "Log a contact" is on the first screen.

The pages are found as the person would find them: the menu, every section of the record of
someone they work with, the contact form, and the first record each of those pages links to."""

import re
from urllib.parse import urlsplit

import pytest
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.cases.models import Case, CaseState
from resettle.e2e.browser import AccessibilityViolations, check_a11y
from resettle.e2e.conftest import PHONE
from resettle.people.models import Person

pytestmark = pytest.mark.e2e

# Links that are not pages to read on a phone: downloads, feeds, signing out, the API.
NOT_PAGES = re.compile(
    r"/sign-out|/sign-in|/export|/download|\.csv|/print|/feed|\.ics|/api/|/django-admin|/static/"
    r"|/switch-organisation"
)
# The phone the other browser tests use, typed as Playwright wants it.
SIZE = ViewportSize(width=PHONE["width"], height=PHONE["height"])
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def shape(path: str) -> str:
    """One page per kind: the same page for another record is not opened again."""
    return re.sub(r"/\d+(?=/)", "/<n>", UUID.sub("<id>", path))


def someone_they_work_with(username: str) -> Person:
    """A person on whose live case the user may log a contact (a mentor: a mentee), the one
    with the most history, so that their record's pages have rows to show."""
    member = Membership.objects.select_related("organisation", "user").get(
        user__username=username, ended_on__isnull=True
    )
    cases = (
        Case.objects.filter(organisation=member.organisation)
        .exclude(state=CaseState.CLOSED)
        .annotate(
            contact_count=Count("person__contacts", distinct=True),
            referral_count=Count("person__referrals", distinct=True),
        )
        .select_related("person")
        .order_by("-contact_count", "-referral_count", "pk")
    )
    for case in cases:
        if policy.can_record_contact(member, case):
            return case.person
    pytest.fail(f"The demo gives {username} no one to log a contact for")


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: reverse("accounts:login") not in url)


def links(page: Page, selector: str) -> list[str]:
    hrefs = page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs if h and h.startswith("/")]


def problems_on(page: Page) -> list[str]:
    """What is wrong with the page now showing, at a phone's width."""
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SIZE["width"]:
        found.append(f"scrolls sideways: {width} px wide")
    try:
        check_a11y(page)
    except AccessibilityViolations as violations:
        found.append(str(violations))
    return found


def first_screen_action(page: Page, name: str) -> list[str]:
    """The page's main action must be on the first screen, without scrolling."""
    action = page.locator("main").get_by_role("button", name=name)
    if action.count() == 0:
        action = page.locator("main").get_by_role("link", name=name)
    if action.count() == 0:
        return [f"has no “{name}”"]
    box = action.first.bounding_box()
    if box is None or box["y"] >= SIZE["height"]:
        return [f"“{name}” is below the first screen: {box and round(box['y'])} px down"]
    return []


@pytest.mark.parametrize("username", ["mentor", "caseworker", "coordinator"])
def test_every_page_they_use_fits_a_phone(browser: Browser, live_server, demo, username):
    person = someone_they_work_with(username)
    summary = reverse("people:detail", args=[person.pk])
    contacts = reverse("contacts:person_list", args=[person.pk])
    log_contact = reverse("contacts:create", args=[person.pk])
    context = browser.new_context(bypass_csp=True, viewport=SIZE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    base = live_server.url
    failures: list[str] = []
    seen: set[str] = set()

    def open_page(path: str) -> bool:
        """Open the page; False if it is not a page they may read."""
        response = page.goto(base + path)
        return (
            response is not None
            and response.status == 200
            and response.headers.get("content-type", "").startswith("text/html")
        )

    def check(path: str) -> None:
        seen.add(shape(path))
        failures.extend(f"{path} {problem}" for problem in problems_on(page))

    try:
        sign_in(page, base, username, demo)
        page.goto(base + summary)
        record = links(page, ".app-person-nav a")
        page.goto(base + reverse("web:home"))
        menu = links(page, "#navigation a")
        starts = [reverse("web:home"), *menu, summary, *record, log_contact]
        for path in dict.fromkeys(p for p in starts if not NOT_PAGES.search(p)):
            if not open_page(path):
                continue
            if shape(path) not in seen:
                check(path)
            if path in (summary, contacts):
                failures.extend(f"{path} {p}" for p in first_screen_action(page, "Log a contact"))
            # The first record of each kind the page links to: a case, a contact, a session...
            for link in dict.fromkeys(urlsplit(link).path for link in links(page, "main a")):
                if shape(link) in seen or NOT_PAGES.search(link):
                    continue
                if open_page(link):
                    check(link)
                else:
                    seen.add(shape(link))
    finally:
        context.close()
    assert not failures, "\n".join(failures)
    # A walk that found next to nothing would prove next to nothing.
    assert len(seen) > 25, sorted(seen)
