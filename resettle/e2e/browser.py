"""Browser helpers for the end-to-end tests: an accessibility check and a page that runs it on
every page the test reaches, with a screenshot of each."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (DESIGN §8: no axe violations on any page).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        targets: v.nodes.map((n) => n.target.join(" ")),
        html: v.nodes.map((n) => n.html),
    }));
}"""


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


class AccessibilityViolations(AssertionError):
    pass


def check_a11y(page: Page) -> None:
    """Fail with a readable list if axe finds any WCAG 2.x A/AA violation on the page.

    The context must be made with bypass_csp=True: the app's CSP forbids the injected script."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    violations = page.evaluate(_RUN_AXE, WCAG_TAGS)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
            for target, html in zip(v["targets"], v["html"], strict=True):
                lines.append(f"    at {target}: {html[:200]}")
        raise AccessibilityViolations("\n".join(lines))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "page"


class CheckedPage:
    """A Playwright page that checks accessibility and saves a full-page screenshot of every
    page it lands on.

    Navigation through `goto`, `click`, `press`, `submit` and `go_back` is checked at once.
    A navigation made through a raw locator is checked before the next wrapped call, and at
    the end of the test, so no page the test reaches escapes the check."""

    def __init__(self, page: Page, base_url: str, test_name: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.folder = SCREENSHOTS / _slug(test_name)
        self.step = 0
        self.checked_urls: list[str] = []
        self._unchecked = False
        page.on("framenavigated", self._on_navigated)

    def _on_navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self._unchecked = True

    def __getattr__(self, name: str):
        return getattr(self.page, name)

    def url_for(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def checkpoint(self, label: str = "") -> None:
        """Screenshot and accessibility check of the page now showing."""
        self.page.wait_for_load_state("load")
        self.step += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.step:02d}-{_slug(label or self.page.url.removeprefix(self.base_url))}"
        self._screenshot(self.folder / f"{name}.png")
        self._unchecked = False
        self.checked_urls.append(self.page.url)
        check_a11y(self.page)

    def _screenshot(self, path: Path) -> None:
        """A full-page screenshot. Chromium now and then fails to capture a long page while it is
        still laying out; the picture is a record, not the test, so retry, then take the
        viewport only."""
        for attempt in range(2):
            try:
                self.page.screenshot(path=path, full_page=True)
                return
            except PlaywrightError:
                self.page.wait_for_timeout(250 * (attempt + 1))
        self.page.screenshot(path=path)

    def _before(self) -> None:
        if self._unchecked:
            self.checkpoint()

    def _after(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        if self._unchecked:
            self.checkpoint(label)

    def goto(self, path: str, label: str = ""):
        self._before()
        response = self.page.goto(self.url_for(path))
        self._after(label or path)
        return response

    def click(self, selector_or_locator, label: str = "") -> None:
        self._before()
        target = (
            self.page.locator(selector_or_locator)
            if isinstance(selector_or_locator, str)
            else selector_or_locator
        )
        target.click()
        self._after(label)

    def press(self, key: str, label: str = "") -> None:
        self._before()
        self.page.keyboard.press(key)
        self._after(label)

    def go_back(self, label: str = "") -> None:
        self._before()
        self.page.go_back()
        self._after(label)

    def finish(self) -> None:
        self._before()
