"""Mentoring in a real browser: the mentoring charity's coordinator matches a mentor
with someone released in ten weeks, trying a mentor whose DBS check has expired first; then, on
release day, the mentor's today page on a phone starts with the gate meeting. Every page is
checked with axe."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind, Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.cases.models import Task, TaskKind
from resettle.cases.services import task_gate_meeting_plan
from resettle.custody.models import CustodyPeriod
from resettle.mentoring.models import MenteePreferences, MentorAllocation, MentorProfile
from resettle.mentoring.services import mentor_allocate
from resettle.people.tests.sharing import make_agreement

pytestmark = pytest.mark.e2e
TODAY = date.today()


def sign_in_on(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"), "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.click(page.get_by_role("button", name="Sign in"), f"signed-in-as-{username}")


def profile(membership, **fields) -> MentorProfile:
    return MentorProfile.objects.create(
        user=membership.user,
        organisation=membership.organisation,
        training_completed_on=TODAY - timedelta(days=400),
        dbs_checked_on=TODAY - timedelta(days=400),
        dbs_expires_on=fields.pop("dbs_expires_on", TODAY + timedelta(days=700)),
        **fields,
    )


@pytest.fixture
def coordinator(cast):
    user = make_user(username="kim", first_name="Kim", last_name="Rowe", password=cast.password)
    return make_membership(
        user=user, organisation=cast.mentoring_charity, role=Role.DELIVERY_COORDINATOR
    )


def released_on(person, recorder, day: date) -> None:
    CustodyPeriod.objects.create(
        person=person,
        kind="sentence",
        start_date=TODAY - timedelta(days=400),
        establishment="HMP Ashcombe",
        expected_release_date=day,
        recorded_by=recorder.user,
    )


def test_a_coordinator_matches_a_mentor_ten_weeks_before_release(
    page, cast, coordinator, make_person
):
    person = make_person(coordinator, given_name="Ryan", family_name="Pearce")
    released_on(person, cast.prison, TODAY + timedelta(weeks=10))
    dwayne = profile(
        cast.mentor, area="Millbrook", interests=["football"], lived_experience=["custody"]
    )
    lapsed_user = make_user(first_name="Lee", last_name="Lapsed")
    lapsed = profile(
        make_membership(
            user=lapsed_user, organisation=cast.mentoring_charity, role=Role.PEER_MENTOR
        ),
        area="Millbrook",
        dbs_expires_on=TODAY - timedelta(days=10),
    )
    sign_in_on(page, "kim", cast.password)
    page.goto(reverse("mentoring:person", args=[person.pk]), "no-mentor-yet")
    page.click(page.get_by_role("link", name="Record their preferences"), "preferences")
    page.get_by_label("Where they will live or want to meet").fill("Millbrook")
    page.get_by_label("Their interests").fill("football, music")
    page.get_by_label("Prison and release").check()
    page.click(page.get_by_role("button", name="Save and find a mentor"), "matching")
    assert MenteePreferences.objects.get(person=person).interests == ["football", "music"]
    suggested = page.locator(".govuk-summary-card").first
    expect(suggested).to_contain_text(str(dwayne))
    expect(suggested).to_contain_text("Shares an interest in football")
    expect(page.locator("main")).to_contain_text("The DBS check expired")

    # The lapsed mentor needs an override: the coordinator is asked why, then changes their mind.
    page.click(page.get_by_role("link", name=f"Choose {lapsed}"), "confirm-lapsed")
    page.click(page.get_by_role("button", name="Allocate mentor"), "override-needed")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are allocating")
    page.click(
        page.get_by_role("link", name="Choose another mentor", exact=True), "back-to-matching"
    )
    page.click(page.get_by_role("link", name=f"Choose {dwayne}"), "confirm-dwayne")
    page.click(page.get_by_role("button", name="Allocate mentor"), "allocated")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{dwayne} is now Ryan Pearce's mentor"
    )
    allocation = MentorAllocation.objects.get()
    assert allocation.mentor == dwayne and allocation.case.mentor == cast.mentor.user


def test_on_release_day_the_mentor_sees_the_gate_meeting_first_on_a_phone(
    phone_page, cast, coordinator, make_person
):
    make_agreement(
        cast.partnership,
        owner=cast.prison_team,
        categories=[Category.CUSTODY],
        kinds=[OrganisationKind.MENTORING],
    )
    person = make_person(coordinator, given_name="Ryan", family_name="Pearce")
    released_on(person, cast.prison, TODAY)
    allocation = mentor_allocate(actor=coordinator, person=person, mentor=profile(cast.mentor))
    task_gate_meeting_plan(
        actor=coordinator,
        case=allocation.case,
        on=TODAY,
        at=time(7, 30),
        place="Visitors' gate, HMP Ashcombe",
    )
    assert Task.objects.get(kind=TaskKind.GATE_MEETING).assigned_to == cast.mentor.user
    page = phone_page
    sign_in_on(page, "mentor", cast.password)
    page.goto(reverse("today:today"), "today")
    first = page.locator("main h2").first
    expect(first).to_have_text("Gate meetings today")
    card = page.locator(".app-gate-meeting")
    expect(card).to_contain_text("07:30")
    expect(card).to_contain_text("Visitors' gate, HMP Ashcombe")
    expect(page.locator("main")).to_contain_text("Releases in the next 7 days")
    page.goto(reverse("today:caseload"), "caseload")
    expect(page.locator("main table")).to_contain_text("Ryan Pearce")


def test_a_coordinator_keeps_mentor_profiles_and_supervision_on_a_phone(
    phone_page, cast, coordinator, make_person
):
    person = make_person(coordinator, given_name="Ryan", family_name="Pearce")
    page = phone_page
    sign_in_on(page, "kim", cast.password)
    page.goto(reverse("mentoring:mentor_list"), "no-mentors")
    page.click(page.get_by_role("button", name="Add a mentor profile"), "add-profile")
    page.get_by_label("How many mentees they can support at once").fill("0")
    page.click(page.get_by_role("button", name="Add profile"), "profile-errors")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the mentor")
    expect(summary).to_contain_text("How many mentees must be 1 or more")
    page.get_by_label("Mentor Tester").check()
    page.get_by_label("How many mentees they can support at once").fill("3")
    page.get_by_label("Interests").fill("football, fishing")
    page.get_by_label("Recall to prison").check()
    page.click(page.get_by_role("button", name="Add profile"), "profile-added")
    expect(page.locator("main")).to_contain_text("No DBS check")
    mentor = MentorProfile.objects.get()
    assert mentor.interests == ["football", "fishing"] and mentor.lived_experience == ["recall"]

    page.click(page.get_by_role("link", name="Supervision notes"), "supervision")
    page.click(page.get_by_role("button", name="Add a supervision note"), "add-note")
    page.get_by_label("What was discussed and agreed").fill("Agreed DBS renewal this week.")
    page.click(page.get_by_role("button", name="Add note"), "note-added")
    expect(page.locator("main")).to_contain_text("Agreed DBS renewal this week.")

    mentor.dbs_checked_on = TODAY - timedelta(days=5)
    mentor.dbs_expires_on = TODAY + timedelta(days=3 * 365)
    mentor.training_completed_on = TODAY - timedelta(days=5)
    mentor.save()
    mentor_allocate(actor=coordinator, person=person, mentor=mentor)
    page.goto(reverse("mentoring:person", args=[person.pk]), "mentoring")
    page.click(page.get_by_role("button", name="End mentoring"), "end")
    page.click(page.get_by_role("button", name="End mentoring"), "end-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why the mentoring")
    page.get_by_label("The person asked to stop").check()
    page.click(page.get_by_role("button", name="End mentoring"), "ended")
    expect(page.locator("main")).to_contain_text("The person asked to stop")
    assert MentorAllocation.objects.get().end_reason == "person_asked"
