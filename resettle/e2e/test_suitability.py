"""Suitability assessments in a real browser, as the probation assessor and as the football
trust's coordinator (DESIGN §4). Every page is checked with axe, the error states and the opened
history included."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.suitability.models import SuitabilityAssessment, SuitabilityReviewRequest
from resettle.suitability.services import suitability_review_request
from resettle.suitability.tests.conftest import NAMES, SUITABILITY_KINDS, make_agreement, record

pytestmark = pytest.mark.e2e


def fill_date(page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


@pytest.fixture
def person(cast, make_person):
    make_agreement(cast, kinds=SUITABILITY_KINDS)
    return make_person(cast.probation, cast.coordinator, given_name="Sam", family_name="Okafor")


def test_probation_records_a_new_assessment_after_fixing_errors(page, sign_in, cast, person):
    record(cast.probation, person, assessed_on=date.today() - timedelta(days=30))
    sign_in("probation", cast.password)
    page.goto(reverse("suitability:person", args=[person.pk]), "suitability")
    expect(page.locator("main")).to_contain_text("May attend group sessions with adults")

    page.click(page.get_by_role("button", name="Record a new assessment"), "record")
    fill_date(page, "Review date", date.today() - timedelta(days=1))
    answer(page, "Must not be in contact with named people", "Yes")
    page.click(page.get_by_role("button", name="Record assessment"), "record-errors")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The review date must be after the date of the assessment")
    expect(summary).to_contain_text("Enter a phone number or email address")
    expect(summary).to_contain_text("Answer “may attend group sessions with adults”")
    assert SuitabilityAssessment.objects.count() == 1

    fill_date(page, "Review date", date.today() + timedelta(days=90))
    answer(page, "May attend group sessions with adults", "Yes")
    answer(page, "May attend group sessions where under-18s are present", "No")
    answer(
        page,
        "May attend group sessions where vulnerable adults are present",
        "Yes, with the measures below",
    )
    answer(page, "May have one-to-one sessions with staff", "Yes")
    answer(page, "Two staff needed", "No")
    page.get_by_label("What partners should do").fill("A coach stays with the group.")
    page.get_by_label("Areas or places to avoid").fill("The town centre of Millbrook")
    page.get_by_label("Who they must not be in contact with").fill(NAMES)
    page.get_by_label("How partners can reach you").fill("01632 960101")
    page.click(page.get_by_role("button", name="Record assessment"), "recorded")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    expect(page.locator("main")).to_contain_text(NAMES)
    page.locator("summary", has_text="Earlier assessments (1)").click()
    page.checkpoint("history-open")
    assert SuitabilityAssessment.objects.filter(superseded_by__isnull=True).get().measures


def test_the_coordinator_sees_answers_not_names_and_asks_for_a_review(page, sign_in, cast, person):
    assessment = record(
        cast.probation, person, named_contact_restriction="yes", named_people_to_avoid=NAMES
    )
    due = date.today() - timedelta(days=3)
    SuitabilityAssessment.objects.filter(pk=assessment.pk).update(
        assessed_on=due - timedelta(days=120), review_on=due
    )
    sign_in("coordinator", cast.password)
    page.goto(reverse("people:detail", args=[person.pk]), "person")
    # The rarer sections of a record are grouped under "More".
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Suitability", exact=True), "suitability")

    main = page.locator("main")
    expect(main).to_contain_text("May attend group sessions where under-18s are present")
    expect(main).to_contain_text("Restriction applies")
    expect(main).to_contain_text(f"Review due since {due:%-d %B %Y}")
    expect(main).not_to_contain_text("Rivers")

    page.click(page.get_by_role("button", name="Request a review"), "request-review")
    page.get_by_label(re.compile("Anything the assessor should know")).fill("Tuesday group?")
    page.click(page.get_by_role("button", name="Request a review"), "review-requested")
    expect(main).to_contain_text("Your organisation asked")
    assert SuitabilityReviewRequest.objects.get().note == "Tuesday group?"


def test_the_probation_home_page_lists_review_requests(page, sign_in, cast, person):
    assessment = record(cast.probation, person)
    suitability_review_request(actor=cast.coordinator, assessment=assessment)
    sign_in("probation", cast.password)

    expect(page.get_by_role("heading", name="Review requests for you")).to_be_visible()
    page.click(page.get_by_role("link", name=re.compile("Review the suitability")), "task")
    expect(page.locator("main")).to_contain_text("Review requested")


def test_a_coordinator_without_the_agreement_is_told_it_is_not_shared(
    page, sign_in, cast, make_person
):
    make_agreement(cast, kinds=["probation"])
    person = make_person(cast.probation, cast.coordinator)
    record(cast.probation, person)
    sign_in("coordinator", cast.password)
    page.goto(reverse("suitability:person", args=[person.pk]), "not-shared")

    expect(page.locator("main")).to_contain_text(
        "Suitability information is not shared with your organisation"
    )
