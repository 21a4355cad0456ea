"""A register at the side of a pitch, in a real browser on a phone: the football trust's
coordinator opens today's session, marks eight people (two while the phone has no connection,
sent when it is back, each counted once), counts three people who turned up unregistered, and
notes a concern that the referrer is told of; then confirms that someone who came to 7 of the
8-week course's sessions completed it, with the award. Every page is checked with axe."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.directory.models import Access, Service
from resettle.notifications.models import Notification
from resettle.people.tests.sharing import make_agreement
from resettle.referrals.tests.conftest import refer
from resettle.registers.models import (
    Attendance,
    CompletionRule,
    Enrolment,
    Programme,
    Session,
)
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.e2e
TODAY = date.today()
NAMES = ("Ana", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal")


def sign_in_on(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"), "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.click(page.get_by_role("button", name="Sign in"), f"signed-in-as-{username}")


def session_at(service, starts, **fields) -> Session:
    return Session.objects.create(
        service=service, starts_at=starts, ends_at=starts + timedelta(hours=1), **fields
    )


def wait_for(count, expected: int, page) -> None:
    for _ in range(50):
        if count() == expected:
            return
        page.wait_for_timeout(100)
    assert count() == expected


@pytest.fixture
def world(cast, make_person):
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.CASE_NOTES, Category.RISK_SUITABILITY],
        kinds=[OrganisationKind.PROBATION, OrganisationKind.SPORT_TRUST],
    )
    service = Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday football",
        description="A coached session for adults.",
        access=Access.BOTH,
        pathways=["sport"],
        capacity=20,
    )
    people = [
        make_person(cast.probation, cast.coordinator, given_name=name, family_name="Player")
        for name in NAMES
    ]
    for person in people:
        Enrolment.objects.create(
            person=person,
            service=service,
            enrolled_on=TODAY - timedelta(days=70),
            reason="Came to an open session",
        )
    referral = refer(cast.probation, people[0], service)
    Enrolment.objects.filter(person=people[0]).update(referral=referral)
    record(cast.probation, people[1], sessions_with_under_18s_present="no")
    today = session_at(service, timezone.now().replace(microsecond=0), open=True, capacity=20)
    programme = Programme.objects.create(
        service=service,
        name="Fit for work",
        sessions_planned=8,
        completion_rule=CompletionRule.AT_LEAST,
        minimum_attended=7,
        award_name="Certificate in sport leadership",
        awarding_body="Northvale Sports Awards",
        award_level="Level 2",
    )
    Enrolment.objects.filter(person=people[2]).update(programme=programme)
    for number in range(1, 9):
        week = session_at(
            service,
            timezone.now() - timedelta(weeks=10 - number),
            programme=programme,
            programme_session=number,
        )
        status = "did_not_attend" if number == 5 else "attended"
        Attendance.objects.create(session=week, person=people[2], status=status)
    return {"service": service, "people": people, "today": today, "programme": programme}


def test_the_coordinator_takes_todays_register_on_a_phone_partly_offline(phone_page, cast, world):
    page = phone_page
    session = world["today"]
    sign_in_on(page, "coordinator", cast.password)
    page.goto(reverse("registers:session_list"), "sessions")
    register_url = reverse("registers:register", args=[session.pk])
    page.click(page.locator(f'a[href="{register_url}"]'), "register")
    expect(page.get_by_role("heading", name="Tuesday football", level=1)).to_be_visible()
    expect(page.get_by_text("No sessions with under-18s present")).to_be_visible()
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    waiting = page.locator("[data-register-waiting]")
    marked = Attendance.objects.filter(session=session)

    people = world["people"]

    def tap(person, status: str) -> None:
        page.locator(f'button[value="{person.pk}:{status}"]').click()

    for person in people[:6]:
        tap(person, "attended")
    wait_for(marked.count, 6, page)
    expect(waiting).to_be_hidden()

    page.context.set_offline(True)
    tap(people[6], "late")
    tap(people[7], "attended")
    expect(waiting).to_have_text("2 marks waiting to send")
    # The count on the page follows the taps, sent or not.
    expect(page.locator("#register-summary")).to_contain_text("8 here (20 places), 8 of 8 marked")
    page.wait_for_timeout(300)
    assert marked.count() == 6
    page.context.set_offline(False)
    expect(waiting).to_be_hidden()
    wait_for(marked.count, 8, page)
    assert marked.get(person__given_name=NAMES[6]).status == "late"
    page.checkpoint("eight-marked")

    page.get_by_label("People here who are not on the register").fill("3")
    page.click(page.get_by_role("button", name="Save headcount"), "headcount-saved")
    session.refresh_from_db()
    assert session.unregistered_headcount == 3
    expect(page.get_by_text("8 here")).to_be_visible()

    page.click(page.get_by_role("link", name="Note about an attendee"), "note")
    page.get_by_label("Who is the note about").select_option(label=f"{NAMES[0]} Player")
    page.get_by_label("What happened").fill("Argued with another player and left early, upset.")
    page.get_by_label("This is a concern").check()
    page.get_by_label("Tell the person who referred them").check()
    page.click(page.get_by_role("button", name="Save note"), "concern-noted")
    told = Notification.objects.get(recipient=cast.probation.user)
    assert told.subject.startswith("A concern") and "Argued" in told.body
    expect(page.get_by_text("Concern", exact=True)).to_be_visible()

    # Sending everything again (a phone retrying) counts nothing twice.
    assert marked.count() == 8


def test_a_programme_shows_completion_and_award_for_seven_of_eight(phone_page, cast, world):
    page = phone_page
    programme = world["programme"]
    sign_in_on(page, "coordinator", cast.password)
    page.goto(reverse("registers:programme", args=[programme.pk]), "programme")
    expect(page.get_by_role("cell", name="7 of 8", exact=True)).to_be_visible()
    expect(page.get_by_text("Met the rule: to confirm")).to_be_visible()
    page.click(page.get_by_role("link", name="Cal Player"), "enrolment")
    page.click(page.get_by_role("link", name="Confirm completion"), "confirm")
    page.locator("#id_award_achieved_on").fill(str(TODAY.day))
    page.locator("#id_award_achieved_on-month").fill(str(TODAY.month))
    page.locator("#id_award_achieved_on-year").fill(str(TODAY.year))
    page.click(page.get_by_role("button", name="Confirm completion"), "completed")
    expect(page.get_by_text(f"achieved {TODAY:%-d %B %Y}")).to_be_visible()
    page.goto(reverse("registers:programme", args=[programme.pk]), "programme-completed")
    expect(page.get_by_text(f"Certificate in sport leadership, {TODAY:%-d %B %Y}")).to_be_visible()


def test_every_register_page_passes_axe_on_a_desktop(page, cast, world):
    """Each page is checked with axe as it is reached (the page fixture's checkpoints)."""
    session, programme = world["today"], world["programme"]
    enrolment = Enrolment.objects.get(person=world["people"][2])
    sign_in_on(page, "coordinator", cast.password)
    page.goto(reverse("registers:session_list"), "sessions")
    for name in ("register", "headcount", "note_create", "sign_up", "move", "cancel"):
        page.goto(reverse(f"registers:{name}", args=[session.pk]), name)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    for name in ("session_create", "generate"):
        page.goto(reverse(f"registers:{name}", args=[world["service"].pk]), name)
    page.goto(reverse("registers:programme", args=[programme.pk]), "programme")
    for name in ("enrolment", "complete", "feedback"):
        page.goto(reverse(f"registers:{name}", args=[enrolment.pk]), name)
    # An invalid form shows its errors, and still passes.
    page.goto(reverse("registers:note_create", args=[session.pk]), "note")
    page.click(page.get_by_role("button", name="Save note"), "note-errors")
    expect(page.get_by_text("There is a problem")).to_be_visible()
