"""Outcomes in a real browser: a caseworker records an ONS4 baseline at the start of a case (on
one page) and an activity baseline the person answers themselves (one question a screen), a
review 12 weeks later from the today page, closes the case with each goal rated, and records a
follow-up three months after closing, without reopening it. The person's chart shows all three
time points; the service's summary counts them once, with the change. Every page is checked
with axe.

The clock is moved with time-machine (the live server's thread included), as the other journeys
do; each step signs in afresh."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.cases.models import Case
from resettle.e2e.test_appointments import fill_date, sign_in_on, sign_out
from resettle.outcomes.models import Assessment, EndOfSupport, Schedule
from resettle.plans.models import Goal

pytestmark = pytest.mark.e2e
START = date.today() - timedelta(days=200)
REVIEW = START + timedelta(weeks=12)
CLOSED = REVIEW + timedelta(days=7)
FOLLOW_UP = CLOSED + timedelta(days=93)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo("Europe/London"))


def answer_ons4(page, scores: dict[str, str]) -> None:
    for question, score in scores.items():
        page.get_by_role("group", name=re.compile(question)).get_by_label(
            re.compile(rf"^{score}(:|$)")
        ).check()


ONS4_QUESTIONS = ("satisfied are you", "worthwhile", "how happy", "how anxious")


def test_a_caseworker_measures_at_start_review_and_after_support_ends(
    page, cast, make_person, share
):
    agreement = share(categories=[Category.OUTCOMES], kinds=[OrganisationKind.LEAD_CHARITY])
    agreement.follow_up_days = 180
    agreement.save()
    with time_machine.travel(at(START, 9)):
        person = make_person(cast.caseworker, given_name="Dean", family_name="Morris")
        case = Case.objects.create(
            person=person,
            organisation=cast.lead_charity,
            worker=cast.caseworker.user,
            opened_on=START,
        )
        Goal.objects.create(
            person=person,
            case=case,
            pathway="sport",
            title="Play football every week",
            created_by=cast.caseworker.user,
        )
        Schedule.objects.create(
            organisation=cast.lead_charity,
            instrument_codes=["ons4", "physical_activity"],
            review_every_weeks=12,
            at_exit=False,
            follow_up_months=[3],
        )

    # The start: ONS4 on one page with Dean; then Dean answers the activity question himself.
    with time_machine.travel(at(START)):
        sign_in_on(page, "caseworker", cast.password)
        page.goto(reverse("outcomes:person", args=[person.pk]), "outcomes-empty")
        page.click(page.get_by_role("button", name="Record outcomes"), "choose")
        page.get_by_label("ONS personal wellbeing (ONS4)").check()
        page.click(page.get_by_role("button", name="Continue"), "ons4-form")
        page.get_by_role("group", name="Time point").get_by_label("Baseline").check()
        page.get_by_role("group", name="Who answered?").get_by_label("The person").check()
        answer_ons4(page, dict(zip(ONS4_QUESTIONS, ("4", "5", "3", "8"), strict=True)))
        page.click(page.get_by_role("button", name="Save answers"), "ons4-saved")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")

        page.goto(reverse("outcomes:self", args=[person.pk]), "self-choose")
        page.get_by_label("Physical activity in the last 7 days").check()
        page.click(page.get_by_role("button", name="Continue"), "self-start")
        page.get_by_label("Baseline").check()
        page.click(page.get_by_role("button", name="Start the questions"), "self-question")
        expect(page.locator("h1")).to_contain_text("how many minutes")
        page.get_by_label(re.compile("how many minutes")).fill("20")
        page.click(page.get_by_role("button", name="Finish and save"), "self-done")
        expect(page.locator("h1")).to_have_text("Thank you")
        sign_out(page)
    assert Assessment.objects.filter(timepoint="baseline").count() == 2
    assert Assessment.objects.get(instrument__code="physical_activity").answered_by == "person"

    # 12 weeks on: the reviews are on the today page as things to do.
    with time_machine.travel(at(REVIEW)):
        sign_in_on(page, "caseworker", cast.password)
        page.goto(reverse("today:today"), "today-reviews-due")
        due = page.locator(".app-outcomes-due")
        expect(due).to_contain_text("ONS personal wellbeing (ONS4), review")
        page.click(due.get_by_role("link", name=re.compile("ONS4.*review")), "ons4-review")
        page.get_by_role("group", name="Who answered?").get_by_label("The person").check()
        answer_ons4(page, dict(zip(ONS4_QUESTIONS, ("6", "6", "6", "5"), strict=True)))
        page.click(page.get_by_role("button", name="Save answers"), "review-saved")
        page.goto(reverse("today:today"), "today-one-review-left")
        page.click(
            page.locator(".app-outcomes-due").get_by_role("link", name=re.compile("activity")),
            "activity-review",
        )
        page.get_by_role("group", name="Who answered?").get_by_label("The person").check()
        page.get_by_label(re.compile("how many minutes")).fill("90")
        page.click(page.get_by_role("button", name="Save answers"), "activity-review-saved")
        sign_out(page)

    # A week later the case closes, and its goal is rated.
    with time_machine.travel(at(CLOSED)):
        sign_in_on(page, "caseworker", cast.password)
        page.goto(reverse("cases:close", args=[case.pk]), "close")
        fill_date(page, "Date closed", CLOSED)
        page.get_by_label("Support complete: goals met").check()
        page.click(page.get_by_role("button", name=re.compile("Close")), "closed")
        page.click(
            page.get_by_role("button", name="Record outcomes at the end of support"), "goals"
        )
        page.get_by_role("group", name=re.compile("Play football every week")).get_by_label(
            "Achieved", exact=True
        ).check()
        page.get_by_label("Support complete").check()
        page.get_by_label(re.compile("own words")).fill("The Tuesday football.")
        page.click(page.get_by_role("button", name="Save outcomes"), "goals-rated")
        expect(page.locator("main")).to_contain_text("The Tuesday football.")
        sign_out(page)
    assert EndOfSupport.objects.get().goal_outcomes.get().rating == "achieved"

    # Three months after: the follow-up, on the closed case, which stays closed.
    with time_machine.travel(at(FOLLOW_UP)):
        sign_in_on(page, "caseworker", cast.password)
        page.goto(reverse("today:today"), "today-follow-up-due")
        page.click(
            page.locator(".app-outcomes-due").get_by_role(
                "link", name=re.compile("ONS4.*follow-up at 3 months")
            ),
            "follow-up",
        )
        page.get_by_role("group", name="Who answered?").get_by_label("The person").check()
        answer_ons4(page, dict(zip(ONS4_QUESTIONS, ("7", "7", "7", "4"), strict=True)))
        page.click(page.get_by_role("button", name="Save answers"), "follow-up-saved")
        case.refresh_from_db()
        assert case.state == "closed"

        # The chart: every ONS4 line has its three points; the table says which is which.
        page.goto(reverse("outcomes:person", args=[person.pk]), "chart")
        ons4 = page.locator("section", has_text="ONS personal wellbeing (ONS4)")
        assert ons4.locator("svg polyline").count() == 4
        assert ons4.locator("svg circle").count() == 12
        table = ons4.locator("table")
        expect(table).to_contain_text("Baseline")
        expect(table).to_contain_text("Review")
        expect(table).to_contain_text("Follow-up at 3 months")
        page.click(table.get_by_role("link", name=re.compile("Follow-up at 3 months")), "answers")
        expect(page.locator("main")).to_contain_text("Medium")  # anxiety 4
        sign_out(page)

    # The service's summary: Dean once, with the change from baseline to review.
    with time_machine.travel(at(FOLLOW_UP, 11)):
        sign_in_on(page, "manager", cast.password)
        page.goto(reverse("outcomes:summary"), "summary")
        ons4 = page.locator("section", has_text="ONS personal wellbeing (ONS4)")
        expect(ons4.locator('[data-count="with_both"]')).to_have_text("1")
        expect(ons4.locator('[data-count="only_baseline"]')).to_have_text("0")
        life = ons4.locator("tr", has_text="Life satisfaction")
        expect(life).to_contain_text("+2.0")
        anxiety = ons4.locator("tr", has_text="Anxiety")
        expect(anxiety).to_contain_text("-3.0")
        expect(page.locator("main")).to_contain_text("only people with both count")
        page.click(page.get_by_role("link", name="Outcome schedules"), "schedules")
        page.click(
            page.get_by_role("link", name="Change the schedule for cases of no service"),
            "schedule-edit",
        )
        page.get_by_label("12 months").check()
        page.click(page.get_by_role("button", name="Save schedule"), "schedule-saved")
        assert Schedule.objects.get().follow_up_months == [3, 12]
