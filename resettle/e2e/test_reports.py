"""Reports in a real browser, on the demo partnership: the partnership manager opens the reports
area from the menu, reads last quarter's return for the whole partnership with small numbers
hidden, switches to the lead charity's own exact figures, downloads the spreadsheet, and on a
phone reads the same page; the admin follows the data quality report's counts to the records
behind them, and a caseworker opens every list of records to fix. Every page is checked with
axe."""

from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from resettle.partnerships.models import Partnership
from resettle.reports.kinds import REPORT_KINDS
from resettle.reports.periods import quarter_bounds, quarter_of
from resettle.reports.records_to_fix import PROBLEMS

pytestmark = pytest.mark.e2e


def last_quarter() -> str:
    this_quarter_starts = quarter_bounds(quarter_of(timezone.localdate()))[0]
    return quarter_of(this_quarter_starts - timedelta(days=1))


def test_a_manager_reads_the_partnerships_return_then_their_own_and_downloads_it(
    page, sign_in, demo
):
    sign_in("manager", demo)
    page.click(page.get_by_role("link", name="Reports"), "reports")
    page.click(page.get_by_role("link", name="Quarterly return"), "quarterly-return")
    expect(page.locator("main")).to_contain_text("every count is exact")

    partnership = Partnership.objects.get()
    page.get_by_label("Whose figures").select_option(f"partnership:{partnership.pk}")
    page.get_by_label("Quarter of the financial year").select_option(last_quarter())
    page.click(page.get_by_role("button", name="Show figures"), "partnership-return")
    main = page.locator("main")
    expect(main).to_contain_text("the partnership")
    expect(main).to_contain_text("counts from 1 to 4")
    expect(main).to_contain_text("People supported by organisation")

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX file of the quarterly return").click()
    book = openpyxl.load_workbook(BytesIO(download.value.path().read_bytes()), read_only=True)
    assert "Definitions" in book.sheetnames


def test_on_a_phone_the_return_reads_well(phone_page, demo):
    page = phone_page
    page.goto(reverse("accounts:login"), "sign-in")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password", exact=True).fill(demo)
    page.click(page.get_by_role("button", name="Sign in"), "signed-in")
    page.goto(reverse("reports:quarterly_return"), "quarterly-return")
    expect(page.locator("main")).to_contain_text("People supported")


def test_every_report_passes_axe_for_the_partnership(page, sign_in, demo):
    sign_in("analyst", demo)
    partnership = Partnership.objects.get()
    for kind in REPORT_KINDS:
        page.goto(
            f"{reverse('reports:' + kind.url_name)}?scope=partnership:{partnership.pk}"
            f"&quarter={last_quarter()}",
            kind.slug,
        )
        expect(page.locator("main")).to_contain_text(kind.title)
        expect(page.locator("main")).to_contain_text("fewer than")


def test_the_records_behind_the_data_quality_report_pass_axe(page, sign_in, demo):
    sign_in("admin", demo)
    page.goto(f"{reverse('reports:data_quality')}?quarter={last_quarter()}", "data-quality")
    page.click(page.get_by_role("link", name="records to fix"), "records-to-fix-counts")
    expect(page.locator("main")).to_contain_text("Your role sees figures")
    page.click(page.get_by_role("button", name="Sign out"), "signed-out")

    sign_in("caseworker", demo)
    for problem in PROBLEMS:
        page.goto(
            f"{reverse('reports:' + problem.url_name)}?quarter={last_quarter()}", problem.slug
        )
        expect(page.locator("main")).to_contain_text(problem.title)
