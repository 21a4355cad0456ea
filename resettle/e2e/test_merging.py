"""Merging two records of one person in a real browser, on the demo partnership: the lead
charity's admin opens a pair a reviewer said is the same person, merges the two records, sees
what moved, lists the organisation's merges and undoes the merge. Every page is checked with
axe."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from resettle.accounts.models import Membership
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus, RunState
from resettle.people.models import Person, PersonMerge, WorkingRelationship

pytestmark = pytest.mark.e2e


def _an_accepted_pair() -> LinkPair:
    """The same person written down twice by the lead charity, accepted by a reviewer."""
    admin = Membership.objects.get(user__username="admin")
    records = []
    for given in ("Morgan", "Morgen"):
        person = Person.objects.create(
            given_name=given, family_name="Twicewritten", date_of_birth=date(1990, 5, 17)
        )
        WorkingRelationship.objects.create(
            person=person, organisation=admin.organisation, started_on=date.today()
        )
        records.append(person)
    left, right = sorted(records, key=lambda p: str(p.pk))
    partnership = admin.organisation.partnerships.first()
    assert partnership is not None
    run = LinkageRun.objects.create(partnership=partnership, state=RunState.DONE, progress=100)
    return LinkPair.objects.create(
        run=run,
        left=left,
        right=right,
        match_weight=12.0,
        match_probability=0.99,
        agreed={"family_name": "exact", "date_of_birth": "exact"},
        disagreed=["given_name"],
        status=PairStatus.ACCEPTED,
    )


def test_an_admin_merges_two_records_and_undoes_it(page, sign_in, demo):
    pair = _an_accepted_pair()
    sign_in("admin", demo)
    page.goto(reverse("linkage:pair", args=[pair.pk]), "pair")
    page.click(page.get_by_role("link", name="Merge these records"), "confirm")
    expect(page.locator("main .govuk-warning-text")).to_contain_text("Everything on the other")
    page.click(page.get_by_role("button", name="Merge records"), "no-reason")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    page.get_by_label("Why are these records being merged?").fill("Written down twice.")
    page.click(page.get_by_role("button", name="Merge records"), "merged")
    expect(page.locator("main")).to_contain_text("Records merged")
    merge = PersonMerge.objects.get()
    page.goto(reverse("people:merges"), "list")
    expect(page.locator("main")).to_contain_text("Merged")
    page.goto(reverse("people:merge_detail", args=[merge.pk]), "detail")
    page.click(page.get_by_role("link", name="Undo this merge"), "undo")
    page.get_by_label("Why is this merge being undone?").fill("Two people after all.")
    page.click(page.get_by_role("button", name="Undo merge"), "undone")
    expect(page.locator("main")).to_contain_text("Merge undone")
    merge.refresh_from_db()
    assert merge.undone
