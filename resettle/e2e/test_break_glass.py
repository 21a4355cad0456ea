"""Break-glass in the browser: a safeguarding lead opens a restricted category, the owning
organisation's lead reads the notification, and a manager reads the report. axe checks each
page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user

pytestmark = pytest.mark.e2e

REASON = "Police report of a threat to a child at the family's address tonight."


def test_lead_breaks_glass_and_the_owner_and_manager_see_it(page, sign_in, cast, make_person):
    person = make_person(cast.safeguarding, cast.probation, given_name="Riley", family_name="Shaw")
    make_membership(
        user=make_user(username="probation-lead", password=cast.password),
        organisation=cast.probation_unit,
        role=Role.REFERRER,
        is_safeguarding_lead=True,
    )

    sign_in("safeguarding", cast.password)
    page.goto(reverse("people:detail", args=[person.pk]), "person")
    page.click(page.get_by_role("link", name=re.compile("^Break glass")), "break-glass")
    expect(page.locator("main .govuk-warning-text")).to_contain_text("recorded in the audit trail")

    # A reason that is too short is refused with the GOV.UK error summary.
    page.get_by_label("Offence and sentence").check()
    page.get_by_label("Why do you need to see it now?").fill("worried")
    page.get_by_label("4 hours", exact=True).check()
    page.click(page.get_by_role("button", name="Break glass and open the record"), "too-short")
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least 20 characters")

    page.get_by_label("Why do you need to see it now?").fill(REASON)
    page.click(page.get_by_role("button", name="Break glass and open the record"), "opened")
    banner = page.locator(".moj-alert--error")
    expect(banner).to_contain_text("You have broken glass to see offence and sentence until")
    expect(banner).to_contain_text(REASON)
    page.click(page.get_by_role("button", name=re.compile("End access")), "closed")
    expect(page.locator(".moj-alert--error")).to_have_count(0)
    page.click(page.get_by_role("button", name="Sign out"), "signed-out")

    sign_in("probation-lead", cast.password)
    expect(page.get_by_role("link", name=re.compile(r"Notifications \(1"))).to_be_visible()
    page.click(page.get_by_role("link", name=re.compile(r"Notifications \(1")), "notifications")
    expect(page.locator("main")).to_contain_text("Riley Shaw")
    page.click(page.get_by_role("button", name="Mark all as read"), "marked-read")
    expect(page.get_by_role("link", name=re.compile(r"Notifications \(0"))).to_be_visible()
    page.click(page.get_by_role("button", name="Sign out"), "signed-out-2")

    sign_in("manager", cast.password)
    page.goto(reverse("access:break_glass_report"), "report")
    table = page.locator("main table")
    expect(table).to_contain_text("Offence and sentence")
    expect(table).to_contain_text("A person not shared with your organisation")
    expect(table).not_to_contain_text("Riley")
    page.click(page.get_by_role("link", name=re.compile("^Category")), "report-by-category")
    page.click(page.get_by_role("button", name="Apply filters"), "report-filtered")
