"""Evaluation in a real browser, on the demo partnership: the analyst builds a Justice Data Lab
cohort of the lead charity's last two years, sees how many qualify and why others do not,
makes the file and downloads it, records the JDL's results and starts an evaluation whose
pseudonymised extract is made too; probation records a further offence on a person's record.
Every page is checked with axe."""

import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from resettle.accounts.models import Membership
from resettle.evaluation.cohorts import JDL_COLUMNS, JDL_MINIMUM
from resettle.evaluation.models import Evaluation, ExportJob, OutcomeEvent
from resettle.people.models import WorkingRelationship

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-demo-password-not-secret"  # noqa: S105 (test-only)
EVALUATOR = "University of North Vale, Centre for Criminology"
TODAY = date.today()


@pytest.fixture
def demo_300(transactional_db, monkeypatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("generate_demo", people=300, seed=7, stdout=io.StringIO())


def fill_date(page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def test_an_analyst_builds_a_jdl_cohort_sees_the_exclusions_and_downloads_the_file(
    page, sign_in, demo_300
):
    sign_in("analyst", PASSWORD)
    page.click(page.get_by_role("link", name="Evaluation"), "cohorts")
    page.click(page.get_by_role("button", name="Build a cohort"), "build-cohort")
    page.get_by_label("Cohort name").fill("Two years of New Leaf support")
    fill_date(page, "Support started on or after", TODAY - timedelta(days=730))
    fill_date(page, "Support started on or before", TODAY - timedelta(days=1))
    page.click(page.get_by_role("button", name="Build cohort"), "cohort")

    qualifying = int(page.locator("#qualifying h2").inner_text())
    assert qualifying >= JDL_MINIMUM
    expect(page.locator("main")).to_contain_text(f"minimum of {JDL_MINIMUM} people")
    expect(page.locator("main")).to_contain_text("Why some people do not qualify")
    excluded = page.locator("#excluded-people tbody tr")
    assert excluded.count() >= 1

    page.click(page.get_by_role("button", name="Make the Justice Data Lab file (CSV)"), "export")
    expect(page.locator("main")).to_contain_text(f"Ready: {qualifying} people")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name=re.compile(r"Download jdl-cohort")).click()
    with open(downloaded.value.path(), encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert tuple(rows[0]) == JDL_COLUMNS
    assert len(rows) == qualifying + 1
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", row[2]) for row in rows[1:])
    assert {row[3] for row in rows[1:]} <= {"Male", "Female"}
    with page.expect_download() as workbook:
        page.get_by_role("button", name="Download as a workbook (XLSX)").click()
    assert workbook.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.value.path().read_bytes())).active
    assert list(next(sheet.iter_rows(values_only=True))) == list(JDL_COLUMNS)

    page.click(page.get_by_role("link", name="Back to the cohort"), "cohort-again")
    page.click(page.get_by_role("button", name="Record results"), "results-form")
    page.click(page.get_by_role("link", name="Cancel"), "cohort-after-results")
    page.click(page.get_by_role("button", name="Start an evaluation"), "evaluation-form")
    page.get_by_label("Evaluation name").fill("Impact of through-the-gate support")
    page.get_by_label("Evaluator").fill(EVALUATOR)
    page.click(page.get_by_role("button", name="Start evaluation"), "evaluation")
    page.click(page.get_by_role("button", name="Make the extract"), "extract")
    expect(page.locator("main")).to_contain_text("Ready:")
    assert Evaluation.objects.get().evaluator == EVALUATOR
    assert ExportJob.objects.filter(state="done").count() == 2


def test_probation_records_a_further_offence_on_a_persons_record(page, sign_in, demo_300):
    probation = Membership.objects.get(user__username="probation")
    person_id = (
        WorkingRelationship.objects.filter(
            organisation=probation.organisation, ended_on__isnull=True
        )
        .order_by("person__family_name")
        .values_list("person_id", flat=True)
        .first()
    )
    sign_in("probation", PASSWORD)
    page.goto(reverse("people:detail", args=[person_id]), "person")
    # The rarer sections of a record are grouped under "More".
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Reoffending"), "reoffending")
    page.click(page.get_by_role("button", name="Record an outcome"), "record")
    page.get_by_label("Conviction").check()
    fill_date(page, "Date", TODAY - timedelta(days=3))
    page.get_by_label("Offence category").select_option("burglary")
    page.get_by_label("Court", exact=True).check()
    page.click(page.get_by_role("button", name="Save outcome"), "recorded")
    expect(page.locator("main")).to_contain_text("Burglary")
    assert OutcomeEvent.objects.filter(person_id=person_id, kind="conviction").exists()
