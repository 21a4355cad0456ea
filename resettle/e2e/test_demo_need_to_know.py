"""Need to know, checked on the demo partnership itself: the football trust's coordinator
sees a person's suitability answers, never the names of people to avoid nor any offence detail,
in the browser and through the API."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.api.services import api_token_create
from resettle.suitability.models import SuitabilityAssessment

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-demo-password-not-secret"  # noqa: S105 (test-only)


@pytest.fixture
def restricted(transactional_db, monkeypatch):
    """The demo, and a current assessment with a named-contact restriction that the coordinator
    may read (the demo makes one for the coordinator's trust at this size and seed)."""
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("generate_demo", people=150, seed=7, stdout=io.StringIO())
    coordinator = Membership.objects.get(user__username="coordinator")
    for assessment in SuitabilityAssessment.objects.filter(
        named_contact_restriction="yes", superseded_by__isnull=True
    ).select_related("person"):
        if policy.can_view_category(coordinator, assessment.person, Category.RISK_SUITABILITY):
            return coordinator, assessment
    pytest.fail("The demo has no restricted assessment the coordinator may read")


def test_the_coordinator_sees_answers_but_no_names_or_offence_in_the_demo(
    page, sign_in, restricted
):
    coordinator, assessment = restricted
    sign_in("coordinator", PASSWORD)
    page.goto(reverse("suitability:person", args=[assessment.person.pk]), "demo-suitability")
    main = page.locator("main")
    expect(main).to_contain_text("May attend group sessions where under-18s are present")
    expect(main).to_contain_text("Restriction applies")
    assert assessment.named_people_to_avoid not in main.inner_text()
    page.goto(reverse("people:detail", args=[assessment.person.pk]), "demo-person")
    assert "offence" not in page.locator("main").inner_text().lower()

    token = api_token_create(user=coordinator.user, name="e2e").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    listed = api.get("/api/v1/suitability-assessments", {"person": str(assessment.person.pk)})
    assert listed.status_code == 200
    current = next(a for a in listed.json()["results"] if a["id"] == str(assessment.pk))
    assert current["answers"]["named_contact_restriction"] == "yes"
    assert current["answers"]["named_people_to_avoid"] is None
    person = api.get(f"/api/v1/people/{assessment.person.pk}")
    assert person.status_code == 200
    assert "offence" not in person.text.lower()
