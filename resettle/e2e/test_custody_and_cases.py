"""Recall and release in a real browser: probation records a recall, the lead
charity's case pauses; a further release resumes it with a gate meeting; the whole history is one
timeline. Every page is checked with axe, on desktop and on a phone."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.cases.models import Case, CaseState, Task
from resettle.custody.models import CustodyPeriod, ReleaseType
from resettle.custody.tests.conftest import make_agreement

pytestmark = pytest.mark.e2e


def fill_date(page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


@pytest.fixture
def released(cast, make_person):
    make_agreement(cast)
    person = make_person(
        cast.probation,
        cast.caseworker,
        cast.mentor,
        given_name="Lee",
        family_name="Ashdown",
        started_on=date.today() - timedelta(days=300),
    )
    period = CustodyPeriod.objects.create(
        person=person,
        kind="sentence",
        start_date=date.today() - timedelta(days=400),
        establishment="HMP Ashcombe",
        expected_release_date=date.today() - timedelta(days=60),
        released_on=date.today() - timedelta(days=60),
        release_type=ReleaseType.CONDITIONAL,
        recorded_by=cast.probation.user,
    )
    case = Case.objects.create(
        person=person,
        organisation=cast.lead_charity,
        worker=cast.caseworker.user,
        opened_on=date.today() - timedelta(days=50),
    )
    return person, period, case


def test_recall_pauses_and_release_resumes_with_a_gate_meeting(page, sign_in, cast, released):
    person, _period, case = released
    sign_in("probation", cast.password)
    page.goto(reverse("custody:person", args=[person.pk]), "custody")
    page.click(page.get_by_role("link", name=re.compile("Record recall")), "recall")
    page.click(page.get_by_role("button", name="Record recall"), "recall-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of the recall")
    fill_date(page, "Date of recall", date.today() - timedelta(days=7))
    page.get_by_label("Breach of licence conditions").check()
    page.click(page.get_by_role("button", name="Record recall"), "recalled")
    case.refresh_from_db()
    assert case.state == CaseState.PAUSED

    page.click(page.get_by_role("link", name=re.compile("Record release")), "release")
    fill_date(page, "Release date", date.today())
    page.get_by_label("Automatic release (end of sentence)").check()
    page.get_by_label("No fixed abode on release").check()
    page.click(page.get_by_role("button", name="Record release"), "released")
    case.refresh_from_db()
    assert case.state == CaseState.OPEN
    assert Task.objects.get(case=case).assigned_to == cast.caseworker.user

    page.goto(reverse("custody:timeline", args=[person.pk]), "timeline")
    main = page.locator("main")
    for text in ("Recalled to custody", "Case paused", "Case resumed", "No fixed abode"):
        expect(main).to_contain_text(text)
    page.goto(reverse("cases:detail", args=[case.pk]), "case")
    expect(main).to_contain_text("Gate meeting")


def test_the_mentor_sees_the_worklist_and_timeline_on_a_phone(phone_page, cast, released):
    person, period, _case = released
    period.recalled_on = date.today() - timedelta(days=5)
    period.recall_reason = "out_of_touch"
    period.expected_release_date = date.today() + timedelta(days=21)
    period.save()
    Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=date.today() - timedelta(days=40),
    )
    page = phone_page
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill("mentor")
    page.get_by_label("Password").fill(cast.password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(reverse("custody:releases"), "releases")
    expect(page.locator("main")).to_contain_text("Lee Ashdown")
    page.goto(reverse("custody:timeline", args=[person.pk]), "timeline")
    expect(page.locator("main")).not_to_contain_text("Failed to keep in touch")
