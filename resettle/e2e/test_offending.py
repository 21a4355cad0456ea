"""Offence and risk in a real browser: a probation officer records a risk assessment (after an
error) that supersedes the current one, adds a licence condition and ends another, and sees the
history; the lead charity's caseworker working with the same person finds no way to any of it.
Every page is checked with axe, the opened history included."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.offending.models import LicenceCondition, RiskAssessment
from resettle.offending.tests.conftest import WORDING, record_history
from resettle.people.tests.sharing import make_agreement

pytestmark = pytest.mark.e2e


def fill_date(page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def choose(page, question: str, option: str) -> None:
    page.get_by_role("group", name=re.compile(question)).get_by_label(option, exact=True).check()


@pytest.fixture
def person(cast, make_person):
    make_agreement(
        cast.partnership,
        owner=cast.probation_unit,
        categories=["offence", "custody", "risk_suitability"],
        kinds=["probation", "prison"],
    )
    person = make_person(
        cast.probation,
        cast.caseworker,
        given_name="Dana",
        family_name="Whitlock",
        started_on=date.today() - timedelta(days=300),
    )
    record_history(cast.probation, person)
    return person


def test_probation_records_risk_and_licence_conditions_and_sees_the_history(
    page, sign_in, cast, person
):
    sign_in("probation", cast.password)
    page.goto(reverse("people:detail", args=[person.pk]), "summary")
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Offence and risk"), "offence-and-risk")
    main = page.locator("main")
    expect(main).to_contain_text("Category 2, level 1")
    expect(main).to_contain_text(WORDING)

    page.click(page.get_by_role("button", name="Record a risk assessment"), "risk")
    choose(page, "Risk of serious harm", "High")
    choose(page, "MAPPA category", "Not a MAPPA case")
    choose(page, "MAPPA level", "Level 2")
    page.click(page.get_by_role("button", name="Save risk assessment"), "risk-errors")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("not managed under MAPPA")
    choose(page, "MAPPA level", "Not managed under MAPPA")
    page.click(page.get_by_role("button", name="Save risk assessment"), "risk-recorded")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    expect(main).to_contain_text("Not a MAPPA case")
    assert RiskAssessment.objects.filter(superseded_by__isnull=True).get().rosh_level == "high"

    page.click(page.get_by_role("button", name="Add a licence condition"), "condition")
    choose(page, "Type of condition", "Curfew")
    page.get_by_label("Wording of the condition").fill("Stay in between 9pm and 6am.")
    fill_date(page, "Start date", date.today())
    page.click(page.get_by_role("button", name="Save licence condition"), "condition-added")
    expect(main).to_contain_text("Stay in between 9pm and 6am.")

    page.click(page.get_by_role("link", name=re.compile("End the exclusion zone")), "end")
    expect(main).to_contain_text(WORDING)
    page.click(page.get_by_role("button", name="End licence condition"), "ended")
    assert LicenceCondition.objects.get(wording=WORDING).ends_on == date.today()

    page.locator("summary", has_text="Earlier risk assessments (2)").click()
    page.locator("summary", has_text="Ended licence conditions (2)").click()
    page.checkpoint("history-open")
    expect(main).to_contain_text("Category 2, level 1")
    expect(main.locator("details", has_text="Ended licence conditions")).to_contain_text(WORDING)


def test_the_lead_charity_caseworker_has_no_way_to_it(page, sign_in, cast, person):
    sign_in("caseworker", cast.password)
    page.goto(reverse("people:detail", args=[person.pk]), "summary")
    page.locator("summary", has_text="More").click()
    page.checkpoint("more-open")
    nav = page.get_by_role("navigation", name=re.compile("Sections of"))
    expect(nav.get_by_role("link", name="Suitability")).to_be_visible()
    expect(nav.get_by_role("link", name="Offence and risk")).to_have_count(0)
    page.goto(reverse("offending:person", args=[person.pk]), "not-shared")
    expect(page.locator("main")).to_contain_text("not shared with your organisation")
    expect(page.locator("main")).not_to_contain_text(WORDING)
