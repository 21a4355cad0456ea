"""The interactive docs in a real browser, with the CSP enforced (not bypassed): Swagger UI
must draw every operation from local files without breaking the policy."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from resettle.api.api import api

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_docs_draw_every_operation_without_breaking_the_csp(live_server, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make chromium`.")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    violations: list[str] = []
    elsewhere: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on(
            "request",
            lambda r: None if r.url.startswith(live_server.url) else elsewhere.append(r.url),
        )
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        operations = page.locator(".opblock").count()
        browser.close()

    schema_operations = sum(len(methods) for methods in api.get_openapi_schema()["paths"].values())
    assert operations == schema_operations
    assert violations == []
    assert [url for url in elsewhere if not url.startswith("data:")] == []
