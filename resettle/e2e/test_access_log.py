"""The access log (resettle/audit) in a real browser: reached from the person's record,
filtered, and checked with axe on every page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access.categories import Category
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event, record_read

pytestmark = pytest.mark.e2e


def test_a_caseworker_sees_who_has_accessed_a_record_and_filters_it(
    page, sign_in, cast, make_person
):
    person = make_person(cast.caseworker, cast.probation, cast.coordinator)
    record_read(actor=cast.probation, person=person, categories=[Category.OFFENCE])
    record_read(actor=cast.coordinator, person=person, categories=[Category.RISK_SUITABILITY])
    record_event(
        actor=cast.safeguarding,
        action=AuditAction.BREAK_GLASS,
        object_type="person",
        person=person,
        category=Category.HEALTH,
        reason="Concern raised by the housing officer after a missed appointment",
    )
    sign_in("caseworker", cast.password)

    page.goto(reverse("people:detail", args=[person.pk]), "person")
    # The rarer sections of a record are grouped under "More".
    page.locator("summary", has_text="More").click()
    page.click(page.get_by_role("link", name="Access log"), "access-log")

    expect(page.get_by_role("heading", name="Who has accessed this record")).to_be_visible()
    table = page.locator("main table")
    expect(table).to_contain_text("Northshire Town Community Trust")
    expect(table).to_contain_text("Concern raised by the housing officer")
    page.get_by_label("Organisation").select_option(label="Northshire Probation Delivery Unit")
    page.click(page.get_by_role("button", name="Apply filter"), "access-log-filtered")
    expect(page.page).to_have_url(re.compile(f"organisation={cast.probation_unit.pk}"))
    expect(table).to_contain_text("Read: Offence and sentence")
    expect(table).not_to_contain_text("Northshire Town Community Trust")
