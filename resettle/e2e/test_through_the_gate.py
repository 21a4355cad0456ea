"""Through-the-gate support as one journey in a real browser: someone due out in ten weeks gets a
peer mentor by matching; on release day the gate meeting is the first thing on the mentor's
phone; the mentor logs contacts on the phone; three weeks later probation records a recall (the
mentoring case pauses) and four weeks after that a further release (it resumes, with a new gate
meeting); and the whole history is one timeline. Every page is checked with axe, on desktop and
on a phone.

The journey spans four months, so the test travels in time (time-machine moves the clock of the
whole process, the live server's thread included); each step signs in afresh, as the idle
timeout would ask a real user to."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.cases.models import Case, CaseState, Task, TaskKind
from resettle.contacts.models import Contact
from resettle.custody.models import CustodyPeriod
from resettle.custody.tests.conftest import make_agreement
from resettle.mentoring.models import MentorProfile

pytestmark = pytest.mark.e2e
TODAY = date.today()


def sign_in_on(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"), "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.click(page.get_by_role("button", name="Sign in"), f"signed-in-as-{username}")


def sign_out(page) -> None:
    page.click(page.get_by_role("button", name="Sign out"), "signed-out")


def fill_date(page, legend: str, value: date) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def gate_meetings(case: Case) -> list[Task]:
    return list(case.tasks.filter(kind=TaskKind.GATE_MEETING).order_by("due_at"))


def test_through_the_gate_recall_and_back_on_one_timeline(page, phone_page, cast, make_person):
    make_agreement(cast)
    kim = make_membership(
        user=make_user(username="kim", first_name="Kim", last_name="Rowe", password=cast.password),
        organisation=cast.mentoring_charity,
        role=Role.DELIVERY_COORDINATOR,
    )
    mentor = MentorProfile.objects.create(
        user=cast.mentor.user,
        organisation=cast.mentoring_charity,
        area="Millbrook",
        interests=["football"],
        training_completed_on=TODAY - timedelta(days=300),
        dbs_checked_on=TODAY - timedelta(days=300),
        dbs_expires_on=TODAY + timedelta(days=700),
    )
    person = make_person(
        cast.probation, kim, given_name="Ryan", family_name="Pearce", started_on=TODAY
    )
    CustodyPeriod.objects.create(
        person=person,
        kind="sentence",
        start_date=TODAY - timedelta(days=500),
        establishment="HMP Ashcombe",
        expected_release_date=TODAY + timedelta(weeks=10),
        recorded_by=cast.probation.user,
    )

    release_day = TODAY + timedelta(weeks=10)

    # Ten weeks before release: the mentoring charity matches and allocates a mentor.
    sign_in_on(page, "kim", cast.password)
    page.goto(reverse("mentoring:person", args=[person.pk]), "no-mentor-yet")
    page.click(page.get_by_role("link", name="Record their preferences"), "preferences")
    page.get_by_label("Their interests").fill("football")
    page.click(page.get_by_role("button", name="Save and find a mentor"), "matching")
    expect(page.locator(".govuk-summary-card").first).to_contain_text(str(mentor))
    page.click(page.get_by_role("link", name=f"Choose {mentor}"), "confirm-mentor")
    page.click(page.get_by_role("button", name="Allocate mentor"), "allocated")
    case = Case.objects.get(person=person, organisation=cast.mentoring_charity)
    assert case.mentor == cast.mentor.user and case.state == CaseState.OPEN
    sign_out(page)

    # Release day: probation records the release, which makes the mentor a gate meeting.
    with time_machine.travel(at_nine(release_day)):
        sign_in_on(page, "probation", cast.password)
        record_release(page, person, release_day, "Conditional release (on licence)", "released")
        [first_gate] = gate_meetings(case)
        assert first_gate.assigned_to == cast.mentor.user
        assert first_gate.due_at.date() == release_day
        sign_out(page)

        # On the mentor's phone: the gate meeting first, then contacts logged there and then.
        sign_in_on(phone_page, "mentor", cast.password)
        phone_page.goto(reverse("today:today"), "today-release-day")
        expect(phone_page.locator("main h2").first).to_have_text("Gate meetings today")
        expect(phone_page.locator(".app-gate-meeting")).to_contain_text("Ryan Pearce")
        log_contacts(phone_page, person)
        assert Contact.objects.filter(person=person, case=case).count() == 2
        sign_out(phone_page)

    # Three weeks later, a recall: the case pauses, never closes.
    recall_day = release_day + timedelta(weeks=3)
    with time_machine.travel(at_nine(recall_day)):
        sign_in_on(page, "probation", cast.password)
        page.goto(reverse("custody:person", args=[person.pk]), "custody-after-release")
        page.click(page.get_by_role("link", name=re.compile("Record recall")), "recall")
        fill_date(page, "Date of recall", recall_day)
        page.get_by_label("Failed to keep in touch").check()
        page.click(page.get_by_role("button", name="Record recall"), "recalled")
        case.refresh_from_db()
        assert case.state == CaseState.PAUSED and case.mentor == cast.mentor.user
        sign_out(page)

    # Four weeks on, a further release: the case resumes with a new gate meeting.
    further_release = recall_day + timedelta(weeks=4)
    with time_machine.travel(at_nine(further_release)):
        sign_in_on(page, "probation", cast.password)
        record_release(
            page, person, further_release, "Automatic release (end of sentence)", "re-released"
        )
        case.refresh_from_db()
        assert case.state == CaseState.OPEN
        gates = gate_meetings(case)
        assert [g.due_at.date() for g in gates] == [release_day, further_release]
        assert gates[-1].assigned_to == cast.mentor.user

        # One timeline: custody, the case pausing and resuming, and the contacts.
        sign_in_on(phone_page, "mentor", cast.password)
        phone_page.goto(reverse("today:today"), "today-further-release")
        expect(phone_page.locator(".app-gate-meeting")).to_contain_text("Ryan Pearce")
        phone_page.goto(reverse("custody:timeline", args=[person.pk]), "timeline-on-phone")
        timeline = phone_page.locator("main")
        for text in ("Recalled to custody", "Case paused", "Case resumed", "Contact: gate meeting"):
            expect(timeline).to_contain_text(text)
        # The recall's reason is offence information: never on a peer mentor's screen.
        expect(timeline).not_to_contain_text("Failed to keep in touch")


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=ZoneInfo("Europe/London"))


def record_release(page, person, day: date, release_type: str, name: str) -> None:
    page.goto(reverse("custody:person", args=[person.pk]), f"before-{name}")
    page.click(page.get_by_role("link", name=re.compile("Record release")), f"form-{name}")
    fill_date(page, "Release date", day)
    page.get_by_label(release_type).check()
    page.get_by_label("No fixed abode on release").check()
    page.click(page.get_by_role("button", name="Record release"), name)


def log_contacts(phone, person) -> None:
    phone.goto(reverse("contacts:create", args=[person.pk]), "log-gate-meeting")
    phone.get_by_label("Gate meeting", exact=True).check()
    phone.get_by_text("More details").click()
    phone.get_by_label("Attended", exact=True).check()
    phone.get_by_label("Accommodation").check()
    phone.get_by_label("Note (optional)").fill("Met at the gate; went to the council together.")
    phone.click(phone.get_by_role("button", name="Save and log another"), "log-another")
    phone.get_by_label("Phone", exact=True).check()
    phone.click(phone.get_by_role("button", name="Save contact"), "contacts-logged")
