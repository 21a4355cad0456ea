"""Sharing agreements and consent in a real browser: every page is checked with axe, including
the pages showing errors (a hard limit broken, a child's consent given as an adult's)."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.consent.models import Consent
from resettle.partnerships.models import SharingAgreement
from resettle.partnerships.tests.factories import make_agreement, make_consent

pytestmark = pytest.mark.e2e


def test_admin_adds_changes_and_ends_an_agreement(page, sign_in, cast):
    make_agreement(
        partnership=cast.partnership,
        owner=cast.probation_unit,
        categories=[Category.CUSTODY],
        recipient_kinds=[OrganisationKind.LEAD_CHARITY],
        title="Custody and licence updates",
    )
    sign_in("admin", cast.password)
    page.click(page.get_by_role("link", name="Agreements", exact=True), "agreements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sharing agreements")
    expect(page.locator(".govuk-tag", has_text="In force")).to_be_visible()

    page.click(page.get_by_role("button", name="Add a sharing agreement"), "new-agreement")
    page.get_by_label("Title", exact=True).fill("Offence details for sessions")
    page.get_by_label("Document reference").fill("ISA-2025-11")
    page.get_by_label("Purpose").fill("So session leaders know who may attend.")
    page.get_by_label("Public task", exact=True).check()
    page.get_by_label("Offence and sentence", exact=True).check()
    page.get_by_label("Sport or football trust", exact=True).check()
    start = page.get_by_role("group", name=re.compile("Start date"))
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("1")
    start.get_by_label("Year").fill(str(date.today().year - 1))
    page.click(page.get_by_role("button", name="Save agreement"), "hard-limit-error")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Offence and sentence can only be shared with prison, probation"
    )
    assert not SharingAgreement.objects.filter(owner=cast.lead_charity).exists()

    page.get_by_label("Offence and sentence", exact=True).uncheck()
    page.get_by_label("Outcomes", exact=True).check()
    page.click(page.get_by_role("button", name="Save agreement"), "agreement-added")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offence details for sessions")
    expect(page.locator("main")).to_contain_text("ISA-2025-11")

    page.click(page.get_by_role("button", name="Change this agreement"), "change-agreement")
    page.get_by_label("Title", exact=True).fill("Outcomes for sessions")
    page.click(page.get_by_role("button", name="Save agreement"), "agreement-changed")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes for sessions")

    page.click(page.get_by_role("button", name="End this agreement"), "end-agreement")
    page.click(page.get_by_role("button", name="End this agreement"), "agreement-ended")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ended")
    expect(page.locator("main")).to_contain_text("History")


def test_caseworker_records_and_withdraws_consent(page, sign_in, cast, make_person):
    child = make_person(
        cast.caseworker, given_name="Kai", family_name="Reid", date_of_birth=date(2015, 5, 1)
    )
    make_consent(person=child, recorded_by=cast.caseworker, given_by="competence_assessed")
    sign_in("caseworker", cast.password)
    page.goto(reverse("people:detail", args=[child.pk]), "person")
    # The rarer sections of a record are grouped under "More".
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Consent", exact=True), "consents")
    expect(page.locator(".govuk-summary-card")).to_have_count(1)

    page.click(page.get_by_role("button", name="Record consent"), "record-consent")
    page.get_by_label("Health", exact=True).check()
    page.get_by_label("Housing", exact=True).check()
    page.get_by_label("Verbally", exact=True).check()
    page.get_by_label("The person themselves", exact=True).check()
    page.click(page.get_by_role("button", name="Record consent"), "child-consent-error")
    expect(page.locator(".govuk-error-summary")).to_contain_text("parental responsibility")

    page.get_by_label("Someone with parental responsibility", exact=True).check()
    page.get_by_label("Name of the person with parental responsibility").fill("Dana Reid")
    page.click(page.get_by_role("button", name="Record consent"), "consent-recorded")
    expect(page.locator(".govuk-summary-card")).to_have_count(2)
    assert Consent.objects.filter(given_by_name="Dana Reid").exists()

    page.click(page.get_by_role("link", name=re.compile("^Withdraw")).first, "withdraw-consent")
    page.click(page.get_by_role("button", name="Withdraw consent"), "consent-withdrawn")
    expect(page.locator(".govuk-tag", has_text="Withdrawn")).to_have_count(1)
