"""Appointments in a real browser: early on a release day a mentor books the gate meeting on a
phone; it shows on their today page and in the calendar feed their phone subscribes to (with the
first name only); after the meeting, one click records it as an attended contact. Another
appointment is rescheduled and then cancelled after a confirmation. Every page is checked with
axe, on a phone and on a desktop.

The clock is moved with time-machine (the live server's thread included), as the
through-the-gate journey does; each step signs in afresh."""

import re
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from resettle.appointments.models import Appointment
from resettle.cases.models import Case
from resettle.contacts.models import Contact

pytestmark = pytest.mark.e2e
TODAY = date.today()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/London"))


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


def test_a_mentor_books_a_gate_meeting_sees_it_today_and_records_it_in_one_click(
    page, phone_page, cast, make_person
):
    person = make_person(cast.mentor, given_name="Ryan", family_name="Pearce")
    case = Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=TODAY - timedelta(days=70),
    )

    # 06:30 on release day, on the mentor's phone: book the gate meeting for 08:00.
    with time_machine.travel(at(TODAY, 6, 30)):
        phone = phone_page
        sign_in_on(phone, "mentor", cast.password)
        phone.goto(reverse("appointments:person_list", args=[person.pk]), "no-appointments")
        phone.click(phone.get_by_role("button", name="Book an appointment"), "book")
        phone.get_by_label("Gate meeting").check()
        fill_date(phone, "Date", TODAY)
        phone.get_by_label("Time").fill("08:00")
        phone.get_by_label("How long, in minutes?").fill("90")
        phone.get_by_label("Where").fill("Visitors' gate, HMP Ashcombe")
        phone.click(phone.get_by_role("button", name="Book appointment"), "booked")
        expect(phone.locator(".govuk-notification-banner--success")).to_contain_text(
            "Appointment booked"
        )
        gate = Appointment.objects.get()
        assert gate.kind == "gate_meeting" and gate.with_user == cast.mentor.user
        assert gate.case == case

        phone.goto(reverse("today:today"), "today-before")
        today = phone.locator(".app-appointments-today")
        expect(today).to_contain_text("08:00")
        expect(today).to_contain_text("Gate meeting with Ryan Pearce")
        expect(today).to_contain_text("Visitors' gate, HMP Ashcombe")

        # The calendar address for the phone's calendar app: shown once, first name only.
        phone.goto(reverse("appointments:calendar"), "calendar")
        phone.click(phone.get_by_role("button", name="Make a calendar address"), "address")
        url = phone.get_by_label("Your calendar address").input_value()
        # Fetched as a calendar app would: no session, only the address.
        feed = Client().get(urlsplit(url).path)
        assert feed.status_code == 200
        body = feed.content.decode()
        assert "SUMMARY:Meeting Ryan" in body and "Pearce" not in body
        assert "Visitors' gate\\, HMP Ashcombe" in body
        sign_out(phone)

    # 09:40, after the meeting, at a desk: the today page asks for the outcome; one click.
    with time_machine.travel(at(TODAY, 9, 40)):
        sign_in_on(page, "mentor", cast.password)
        page.goto(reverse("today:today"), "today-after")
        page.click(page.get_by_role("link", name=re.compile("Record outcome")), "outcome-due")
        # The longer form is there for a missed or cancelled meeting; here one click will do.
        page.click(
            page.get_by_role("link", name="They did not attend, or it was cancelled"),
            "outcome-form",
        )
        expect(page.locator("h1")).to_have_text("Record what happened")
        page.go_back("outcome-due-again")
        page.click(page.get_by_role("button", name="They attended: save as a contact"), "recorded")
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Saved as a contact"
        )
        contact = Contact.objects.get()
        assert contact.kind == "gate_meeting" and contact.outcome == "attended"
        assert contact.duration_minutes == 90 and contact.person == person
        gate.refresh_from_db()
        assert gate.state == "attended" and gate.contact == contact
        page.goto(reverse("contacts:person_list", args=[person.pk]), "contacts")
        expect(page.locator("main")).to_contain_text("Gate meeting")

        # Next week's meeting moves, then is called off after a confirmation.
        page.goto(reverse("appointments:book", args=[person.pk]), "book-next")
        page.get_by_label("Meeting in person").check()
        fill_date(page, "Date", TODAY + timedelta(days=7))
        page.get_by_label("Time").fill("11:00")
        page.get_by_label("Where").fill("Costa, Millbrook High Street")
        page.click(page.get_by_role("button", name="Book appointment"), "booked-next")
        page.click(page.get_by_role("button", name="Reschedule"), "reschedule")
        page.get_by_label("Time").fill("14:30")
        page.get_by_label("Why is it moving? (optional)").fill("Ryan starts work at 9")
        page.click(page.get_by_role("button", name="Reschedule"), "rescheduled")
        expect(page.locator("main")).to_contain_text("Earlier times")
        page.click(page.get_by_role("button", name="Cancel appointment"), "cancel")
        expect(page.locator("main .govuk-warning-text")).to_contain_text("cannot be undone")
        page.get_by_label("The person").check()
        page.click(page.get_by_role("button", name="Cancel appointment"), "cancelled")
        expect(page.locator("main")).to_contain_text("Cancelled")
        assert Appointment.objects.filter(state="cancelled").count() == 1
        assert Contact.objects.count() == 1
