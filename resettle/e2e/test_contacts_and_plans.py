"""Contacts, action plans and the family's support in a real browser: a peer mentor logs
contacts on a phone between meetings; a caseworker builds a plan with the person and prints it
for them to keep; the family support worker sees the family's support, and a "no contact"
wish respected. Every page is checked with axe, on a phone where it is used on one."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.cases.models import Case
from resettle.contacts.models import Contact
from resettle.people.choices import ContactWishes
from resettle.people.tests.sharing import make_agreement, make_household, make_relationship
from resettle.plans.models import Goal, GoalStep

pytestmark = pytest.mark.e2e


def sign_in_on(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"), "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.click(page.get_by_role("button", name="Sign in"), f"signed-in-as-{username}")


def open_case(actor, person, **fields) -> Case:
    return Case.objects.create(
        person=person,
        organisation=actor.organisation,
        opened_on=date.today() - timedelta(days=30),
        **fields,
    )


def test_a_mentor_logs_contacts_on_a_phone(phone_page, cast, make_person):
    person = make_person(cast.mentor, given_name="Sam", family_name="Okafor")
    open_case(cast.mentor, person, mentor=cast.mentor.user)
    page = phone_page
    sign_in_on(page, "mentor", cast.password)
    page.goto(reverse("contacts:create", args=[person.pk]), "log-a-contact")
    page.get_by_label("Phone", exact=True).check()
    # Whether it happened is among the rarer questions, folded under "More details".
    expect(page.get_by_label("Cancelled", exact=True)).to_be_hidden()
    page.get_by_text("More details").click()
    page.get_by_label("Cancelled", exact=True).check()
    page.click(page.get_by_role("button", name="Save contact"), "cancelled-without-who")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who cancelled the contact")
    # The error is in a folded question, so the page comes back with it unfolded.
    page.get_by_label("The person", exact=True).check()
    page.click(page.get_by_role("button", name="Save and log another"), "log-another")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    assert Contact.objects.get().cancelled_by == "person"

    page.get_by_label("Face to face", exact=True).check()
    page.get_by_text("More details").click()
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("How long did it last, in minutes? (optional)").fill("45")
    page.get_by_label("Accommodation").check()
    page.get_by_label("Note (optional)").fill("Met at the café; he has a flat viewing on Friday.")
    page.get_by_label("The note is sensitive").check()
    page.click(page.get_by_role("button", name="Save contact"), "saved")
    expect(page.locator("main")).to_contain_text("flat viewing on Friday")
    expect(page.locator("main")).to_contain_text("Sensitive")
    assert Contact.objects.count() == 2


def test_a_caseworker_builds_a_plan_and_prints_it(page, sign_in, cast, make_person):
    person = make_person(cast.caseworker, given_name="Sam", family_name="Okafor")
    open_case(cast.caseworker, person)
    sign_in("caseworker", cast.password)
    page.goto(reverse("plans:person_plan", args=[person.pk]), "empty-plan")
    page.click(page.get_by_role("button", name="Add a goal"), "add-goal")
    page.click(page.get_by_role("button", name="Add goal"), "goal-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a pathway")
    page.get_by_label("Pathway").select_option("accommodation")
    page.get_by_label("Goal", exact=True).fill("Get my own flat")
    page.get_by_label("In their own words (optional)").fill("Somewhere the kids can stay over.")
    page.click(page.get_by_role("button", name="Add goal"), "add-step")
    page.get_by_label("Step", exact=True).fill("Ask the council about the deposit scheme")
    page.get_by_label("A partner organisation").check()
    page.get_by_label("Northshire Homes").check()
    page.click(page.get_by_role("button", name="Add step"), "goal")
    expect(page.locator("main")).to_contain_text("Northshire Homes")
    page.click(page.get_by_role("button", name="Record progress"), "progress")
    page.get_by_label("In progress").check()
    page.get_by_label("What has happened?").fill("Form sent to the council.")
    page.click(page.get_by_role("button", name="Save progress"), "progress-saved")
    expect(page.locator(".moj-timeline")).to_contain_text("Not started → In progress")
    page.goto(reverse("plans:print", args=[person.pk]), "printable")
    expect(page.locator("main")).to_contain_text("Somewhere the kids can stay over.")
    assert Goal.objects.get().status == "in_progress" and GoalStep.objects.count() == 1


def test_family_support_respects_no_contact(page, sign_in, cast, make_person):
    leaver = make_person(cast.family, given_name="Dean", family_name="Holt")
    child = make_person(
        cast.family, given_name="Mia", family_name="Holt", date_of_birth=date(2016, 4, 2)
    )
    former = make_person(cast.family, given_name="Kira", family_name="Vance")
    make_household("Holt household", [leaver, child])
    make_relationship(leaver, child, "child", lives_with=True)
    make_relationship(leaver, former, "partner", contact_wishes=ContactWishes.NO_CONTACT)
    open_case(cast.family, leaver)
    open_case(cast.family, child)
    make_agreement(
        cast.partnership,
        owner=cast.family_charity,
        categories=[Category.FAMILY_CHILDREN],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    sign_in("family", cast.password)
    page.goto(reverse("contacts:family_support", args=[leaver.pk]), "family-support")
    main = page.locator("main")
    expect(main).to_contain_text("Mia Holt")
    expect(main).to_contain_text("No contact wanted")
    expect(main).not_to_contain_text("Kira")
