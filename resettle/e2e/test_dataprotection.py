"""Data protection in a real browser, on the demo partnership: the lead charity's
data-protection lead finds a person, makes their subject access pack and downloads it, then reads
the person's corrections history as a caseworker would. Every page is checked with axe."""

import io
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.accounts.models import Membership
from resettle.people.models import Person

pytestmark = pytest.mark.e2e


def test_a_data_protection_lead_makes_a_subject_access_pack(page, sign_in, demo):
    lead = Membership.objects.get(user__username="admin")
    person = (
        Person.objects.filter(working_relationships__organisation=lead.organisation)
        .order_by("family_name", "given_name")
        .first()
    )
    sign_in("admin", demo)  # the demo's data-protection lead
    page.click(page.get_by_role("link", name="Data protection"), "data-protection")
    page.get_by_label("Name or identifier").fill(person.family_name)
    page.click(page.get_by_role("button", name="Find"), "found")
    page.click(
        page.get_by_role("link", name=person.full_name).first,
        "subject-access",
    )
    page.get_by_role("checkbox").check()
    page.click(page.get_by_role("button", name="Make the pack"), "pack")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    pack = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert {"person.json", "index.html"} <= set(pack.namelist())
    assert person.family_name in pack.read("index.html").decode()

    # Corrections are read on the person's record, by those who work with the person.
    page.click(page.get_by_role("button", name="Sign out"), "signed-out")
    sign_in("caseworker", demo)
    page.goto(reverse("dataprotection:person_corrections", args=[person.pk]), "corrections")
    expect(page.locator("main")).to_contain_text("Corrections to personal details")
    page.click(page.get_by_role("button", name="Correct a detail"), "correct")
    expect(page.get_by_label("Why is this being corrected?")).to_be_visible()


def test_a_data_protection_lead_sets_retention_and_places_a_legal_hold(page, sign_in, demo):
    lead = Membership.objects.get(user__username="admin")
    person = (
        Person.objects.filter(working_relationships__organisation=lead.organisation)
        .order_by("family_name", "given_name")
        .first()
    )
    sign_in("admin", demo)
    page.click(page.get_by_role("link", name="Data protection"), "data-protection")
    page.click(page.get_by_role("link", name="retention schedule"), "retention")
    page.get_by_label("Closed cases", exact=False).check()
    page.get_by_label("Years kept after support ended").fill("0")
    page.click(page.get_by_role("button", name="Save the rule"), "retention-invalid")
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least 1 year")
    page.get_by_label("Years kept after support ended").fill("7")
    page.click(page.get_by_role("button", name="Save the rule"), "retention-saved")
    expect(page.locator("table").first).to_contain_text("7 years")

    page.goto(reverse("dataprotection:person", args=[person.pk]), "subject-access")
    page.click(page.get_by_role("link", name="see or place legal holds"), "legal-holds")
    page.get_by_label("Why must these records be kept?").fill("A claim is expected")
    page.click(page.get_by_role("button", name="Place the legal hold"), "held")
    expect(page.locator("main")).to_contain_text("are under a legal hold")
    page.click(page.get_by_role("button", name="Lift"), "lifted")
    expect(page.locator("main")).to_contain_text("are not held")
