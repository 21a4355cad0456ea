"""Record linkage and cases in common in a real browser, on the demo partnership: the
organisation admin links the partnership's records, is told why thresholds that overlap cannot
be used, opens the review queue from the menu, sees a pair with the record their organisation
does not work with shown as not shared, and decides; a caseworker opens cases in common from
the menu and downloads it for the case meeting. Every page is checked with axe."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.accounts.models import Membership, OrganisationKind
from resettle.linkage import services
from resettle.linkage.models import LinkPair, PairDecision, PairStatus
from resettle.partnerships.models import Partnership
from resettle.people.models import Person, WorkingRelationship

pytestmark = pytest.mark.e2e


def _a_pair_to_review() -> None:
    """A lead-charity person written down again by probation, with the date of birth missing;
    linked, and the pair put in the review queue whatever the model scored it."""
    admin = Membership.objects.get(user__username="admin")
    probation = Membership.objects.get(user__username="probation").organisation
    ours = Person.objects.filter(
        working_relationships__organisation=admin.organisation,
        working_relationships__ended_on__isnull=True,
    ).first()
    assert ours is not None
    again = Person.objects.create(
        given_name=ours.given_name, family_name=f"{ours.family_name}e", sex=ours.sex
    )
    WorkingRelationship.objects.create(
        person=again, organisation=probation, started_on=date.today()
    )
    run = services.linkage_run_request(actor=admin, partnership=Partnership.objects.get())
    run = services.linkage_run_execute(run_id=run.pk)
    left, right = sorted((ours, again), key=lambda p: str(p.pk))
    LinkPair.objects.update_or_create(
        run=run,
        left=left,
        right=right,
        defaults={
            "match_weight": 4.0,
            "match_probability": 0.94,
            "agreed": {"given_name": "exact", "family_name": "close spelling"},
            "disagreed": [],
            "status": PairStatus.REVIEW,
        },
    )


def test_an_admin_reviews_a_pair_it_can_see_only_half_of(page, sign_in, demo):
    _a_pair_to_review()
    sign_in("admin", demo)
    page.click(page.get_by_role("link", name="Record linkage"), "linkage")
    expect(page.locator("main")).to_contain_text("Finished")
    page.locator("summary", has_text="Thresholds").first.click()
    page.checkpoint("thresholds")
    page.get_by_label("Link without review from").first.fill("0.5")
    page.get_by_label("Send for review from").first.fill("2")
    page.click(page.get_by_role("button", name="Link new and changed records").first, "refused")
    expect(page.locator("body")).to_contain_text("must be above the lower one")
    page.click(page.get_by_role("link", name="review queue"), "review")
    main = page.locator("main")
    expect(main).to_contain_text("Not shared")
    page.click(page.get_by_role("link", name="Decide on pair 1"), "pair")
    page.click(page.get_by_role("button", name="Save decision"), "no-answer")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose same person")
    page.get_by_label("Same person").check()
    page.click(page.get_by_role("button", name="Save decision"), "decided")
    expect(page.locator("main")).to_contain_text("Decision saved")
    assert PairDecision.objects.get().decision == "accept"


def test_a_caseworker_reads_cases_in_common_and_downloads_them(page, sign_in, demo):
    sign_in("caseworker", demo)
    page.click(page.get_by_role("link", name="Cases in common"), "cases-in-common")
    main = page.locator("main")
    expect(main).to_contain_text("in common")
    page.get_by_label("Last 12 months").check()
    page.click(page.get_by_role("button", name="Show"), "twelve-months")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download for the meeting (CSV)").click()
    assert download.value.path().read_text(encoding="utf-8").startswith("Person,")


def test_a_football_trust_coordinator_sees_only_what_its_agreements_allow(page, sign_in, demo):
    sign_in("coordinator", demo)
    page.goto(reverse("linkage:cases_in_common") + "?months=12", "cases-in-common")
    main = page.locator("main")
    expect(main).to_contain_text("not shared with you")
    assert Membership.objects.get(user__username="coordinator").organisation.kind == (
        OrganisationKind.SPORT_TRUST
    )
