"""Browser end-to-end tests: Debian's Chromium driven by Playwright against pytest-django's
live server. Every page a test reaches is checked with axe and screenshotted (see browser.py).

Run them alone with `pytest -m e2e`, or skip them with `pytest -m "not e2e"`. They need
`make frontend` (static files) and `make chromium`; `make test` does both."""

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, sync_playwright

from resettle.e2e.browser import CheckedPage

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# No downloads, updates or background calls home: the tests must not touch the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEMO_PASSWORD = "e2e-demo-password-not-secret"  # noqa: S105 (test-only)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make chromium`.")
    # Playwright's sync API keeps an event loop on the main thread, which Django then takes
    # for async code and refuses database calls from. The tests' own ORM calls are plain
    # synchronous code, so the check is switched off while the browser is running.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


DESKTOP = {"width": 1280, "height": 900}
# A small phone (an iPhone 12/13/14's CSS pixels): contacts are logged on one at the gate.
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser: Browser, live_server, request) -> Iterator[CheckedPage]:
    yield from _checked_page(browser, live_server, request, DESKTOP)


@pytest.fixture
def phone_page(browser: Browser, live_server, request) -> Iterator[CheckedPage]:
    """A page on a phone-sized viewport, checked with axe like `page`. A test may use both."""
    yield from _checked_page(browser, live_server, request, PHONE, suffix="phone")


def _checked_page(browser, live_server, request, viewport, suffix="") -> Iterator[CheckedPage]:
    if not finders.find("resettle.css"):
        # Without the stylesheet every page fails axe (e.g. target-size) for the wrong reason.
        pytest.fail("The static files are not built: run `make frontend`.")
    # bypass_csp lets the test inject axe; the app's own pages still get no inline script.
    context = browser.new_context(bypass_csp=True, viewport=viewport)
    context.set_default_timeout(5_000)
    name = f"{request.node.name}-{suffix}" if suffix else request.node.name
    checked = CheckedPage(context.new_page(), live_server.url, name)
    yield checked
    try:
        if not _failed(request):
            checked.finish()
    finally:
        context.close()


def _failed(request) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def demo(transactional_db, monkeypatch) -> str:
    """The demo partnership (DESIGN §7), small; returns the password every demo login shares."""
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("generate_demo", people=40, seed=1, stdout=io.StringIO())
    return DEMO_PASSWORD


@pytest.fixture
def sign_in(page: CheckedPage):
    def sign_in_as(username: str, password: str) -> None:
        page.goto(reverse("accounts:login"), "sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.click(page.get_by_role("button", name="Sign in"), f"signed-in-as-{username}")

    return sign_in_as
