"""Merge pages and the merge API: success and refusal twins (anonymous, wrong role, another
organisation's record), the stale form, and undoing with later edits listed."""

import pytest
from django.urls import reverse

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.cases.models import CaseState
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus, RunState
from resettle.people import merging
from resettle.people.models import PersonMerge
from resettle.people.tests.merging import case, contact, furnish

pytestmark = pytest.mark.django_db
MERGES = "/api/v1/linkage/merges"
REASON = "Two records made for the same person at two referrals."


@pytest.fixture
def pair(cast, make_person):
    """An accepted pair of two records of one person that only the lead charity holds."""
    one = make_person(cast.admin, given_name="Jordan", family_name="Example")
    other = make_person(cast.admin, given_name="Jordon", family_name="Example")
    left, right = sorted((one, other), key=lambda person: str(person.pk))
    furnish(right, cast.admin, tag="Other")  # the record the tests merge into the other
    run = LinkageRun.objects.create(partnership=cast.partnership, state=RunState.DONE)
    return LinkPair.objects.create(
        run=run,
        left=left,
        right=right,
        match_weight=11.0,
        match_probability=0.99,
        agreed={"family_name": "exact"},
        disagreed=["given_name"],
        status=PairStatus.ACCEPTED,
    )


@pytest.fixture
def elsewhere_admin(cast):
    return make_membership(
        user=make_user(), organisation=cast.outsider.organisation, role=Role.ORGANISATION_ADMIN
    )


def _new(pair) -> str:
    return reverse("people:merge_new", args=[pair.pk])


def _post_merge(client, pair, **data):
    page = client.get(_new(pair))
    form = page.context["form"]
    values = {
        "survivor": str(pair.left.pk),
        "reason": REASON,
        "seen": form.fields["seen"].initial,
    } | data
    return client.post(_new(pair), values)


def _merge(cast, pair) -> PersonMerge:
    return merging.person_merge(
        actor=cast.admin, survivor=pair.left, merged=pair.right, reason=REASON
    )


# Pages ----------------------------------------------------------------------------------------


def test_the_pair_page_offers_to_merge_an_accepted_pair(cast, client_as, pair):
    page = client_as(cast.admin).get(reverse("linkage:pair", args=[pair.pk]))
    assert _new(pair).encode() in page.content


def test_the_pair_page_does_not_offer_a_pair_another_organisation_also_holds(cast, client_as, pair):
    from resettle.people.models import WorkingRelationship

    WorkingRelationship.objects.create(
        person=pair.right, organisation=cast.probation.organisation, started_on=pair.created_at
    )
    page = client_as(cast.admin).get(reverse("linkage:pair", args=[pair.pk]))
    assert page.status_code == 200
    assert _new(pair).encode() not in page.content
    refused = client_as(cast.admin).get(_new(pair))
    assert refused.status_code == 403
    assert b"also held by another organisation" in refused.content


def test_the_confirmation_page_lists_what_moves_and_merging_leads_to_the_merge(
    cast, client_as, pair
):
    client = client_as(cast.admin)
    page = client.get(_new(pair))
    assert page.status_code == 200
    assert b"govuk-warning-text" in page.content
    assert b"2 contacts from the other record" in page.content

    response = _post_merge(client, pair, survivor=str(pair.left.pk))

    merge = PersonMerge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:merge_detail", args=[merge.pk])
    assert (merge.survivor, merge.merged) == (pair.left, pair.right)
    detail = client.get(response["Location"])
    assert b"Undo this merge" in detail.content
    assert reverse("people:unmerge", args=[merge.pk]).encode() in detail.content


def test_the_merge_needs_a_reason(cast, client_as, pair):
    response = _post_merge(client_as(cast.admin), pair, reason="")
    assert response.status_code == 200
    assert b"Say why these records are being merged" in response.content
    assert not PersonMerge.objects.exists()


def test_a_stale_confirmation_is_refused_with_a_clear_message(cast, client_as, pair):
    client = client_as(cast.admin)
    response = _post_merge(client, pair, seen="0" * 32)
    assert response.status_code == 200
    assert b"changed since you opened this page" in response.content
    assert not PersonMerge.objects.exists()


def test_the_merge_pages_refuse_the_anonymous(client_as, pair):
    client = client_as(None)
    for url in (_new(pair), reverse("people:merges")):
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_merge_pages_refuse_other_roles(cast, client_as, pair):
    merge = _merge(cast, pair)
    client = client_as(cast.caseworker)
    assert client.get(_new(pair)).status_code == 403
    assert client.post(_new(pair), {"reason": REASON}).status_code == 403
    assert client.get(reverse("people:merges")).status_code == 403
    assert client.get(reverse("people:merge_detail", args=[merge.pk])).status_code == 403
    assert client.post(reverse("people:unmerge", args=[merge.pk]), {}).status_code == 403


def test_another_organisations_pair_and_merge_are_not_found(cast, client_as, pair, elsewhere_admin):
    merge = _merge(cast, pair)
    client = client_as(elsewhere_admin)
    assert client.get(_new(pair)).status_code == 404
    assert client.get(reverse("people:merge_detail", args=[merge.pk])).status_code == 404
    assert client.post(reverse("people:unmerge", args=[merge.pk]), {}).status_code == 404
    assert merge.pk.hex not in client.get(reverse("people:merges")).content.decode()


def test_the_list_shows_the_organisations_merges_newest_first(cast, client_as, pair):
    merge = _merge(cast, pair)
    page = client_as(cast.admin).get(reverse("people:merges"))
    assert page.status_code == 200
    assert reverse("people:merge_detail", args=[merge.pk]).encode() in page.content
    assert pair.left.full_name.encode() in page.content


def test_undoing_lists_later_edits_and_puts_both_records_back(cast, client_as, pair):
    merge = _merge(cast, pair)
    later = case(pair.left, cast.admin, state=CaseState.OPEN)
    for n in range(3):
        contact(pair.left, later, cast.admin, f"After {n}")
    client = client_as(cast.admin)
    url = reverse("people:unmerge", args=[merge.pk])

    page = client.get(url)
    assert b"3 contacts recorded after the merge" in page.content
    assert b"Kept on the record that stayed" in page.content
    missing_reason = client.post(url, {"reason": "", "version": merge.version})
    assert b"Say why this merge is being undone" in missing_reason.content
    response = client.post(url, {"reason": "Different people.", "version": merge.version})

    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.undone
    assert pair.right.contacts.count() == 2 and pair.left.contacts.count() == 3
    again = client.post(url, {"reason": "Again.", "version": merge.version})
    assert b"already been undone" in again.content
    assert client.get(url)["Location"] == reverse("people:merge_detail", args=[merge.pk])


def test_a_stale_undo_is_refused(cast, client_as, pair):
    merge = _merge(cast, pair)
    response = client_as(cast.admin).post(
        reverse("people:unmerge", args=[merge.pk]), {"reason": "No.", "version": 7}
    )
    assert b"This merge changed since you opened this page" in response.content
    merge.refresh_from_db()
    assert not merge.undone


def test_a_merged_record_is_gone_from_lists_and_the_api_and_its_page_leads_to_the_survivor(
    cast, client_as, api_as, pair
):
    _merge(cast, pair)
    assert api_as(cast.caseworker).get(f"/api/v1/people/{pair.right.pk}").status_code == 404
    listed = client_as(cast.caseworker).get(reverse("people:list"), {"q": "Example"})
    assert str(pair.left.pk) in listed.content.decode()
    assert str(pair.right.pk) not in listed.content.decode()
    response = client_as(cast.caseworker).get(reverse("people:detail", args=[pair.right.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[pair.left.pk])
    outsider = client_as(cast.outsider).get(reverse("people:detail", args=[pair.right.pk]))
    assert outsider.status_code == 404


# API -------------------------------------------------------------------------------------------


def _body(pair, **fields):
    return {"survivor": str(pair.left.pk), "merged": str(pair.right.pk), "reason": REASON} | fields


def test_the_api_merges_shows_and_undoes(cast, api_as, pair):
    api = api_as(cast.admin)
    created = api.post(MERGES, _body(pair))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["moved"]["contacts.Contact"] == 2
    assert body["set_aside"] == {"people.WorkingRelationship": 1}
    url = f"{MERGES}/{body['id']}"
    assert created["Location"].endswith(url)

    shown = api.get(url)
    assert shown.status_code == 200 and shown.json()["survivor"] == str(pair.left.pk)
    stale = api.post(f"{url}/unmerge", {"reason": "No."}, headers={"If-Match": '"old"'})
    assert stale.status_code == 409
    undone = api.post(f"{url}/unmerge", {"reason": "No."}, headers={"If-Match": shown["ETag"]})
    assert undone.status_code == 200 and undone.json()["undone"] is True
    assert api.post(f"{url}/unmerge", {"reason": "Again."}).status_code == 422


def test_the_api_refuses_the_anonymous_and_other_roles(cast, api_as, pair):
    merge = _merge(cast, pair)
    assert api_as(None).post(MERGES, _body(pair)).status_code == 401
    assert api_as(None).get(f"{MERGES}/{merge.pk}").status_code == 401
    caseworker = api_as(cast.caseworker)
    assert caseworker.post(MERGES, _body(pair)).status_code == 403
    assert caseworker.get(f"{MERGES}/{merge.pk}").status_code == 403
    assert caseworker.post(f"{MERGES}/{merge.pk}/unmerge", {"reason": "x"}).status_code == 403


def test_the_api_does_not_name_another_organisations_records(cast, api_as, pair, elsewhere_admin):
    api = api_as(elsewhere_admin)
    response = api.post(MERGES, _body(pair))
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"survivor"}
    merge = _merge(cast, pair)
    assert api.get(f"{MERGES}/{merge.pk}").status_code == 404
    assert api.post(f"{MERGES}/{merge.pk}/unmerge", {"reason": "x"}).status_code == 404


def test_the_api_refuses_records_that_cannot_be_merged(cast, api_as, pair):
    api = api_as(cast.admin)
    missing = api.post(MERGES, {"survivor": str(pair.left.pk)})
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"merged", "reason"}
    itself = api.post(MERGES, _body(pair, merged=str(pair.left.pk)))
    assert itself.status_code == 422 and "into itself" in itself.json()["detail"]
    case(pair.left, cast.admin, state=CaseState.OPEN)
    case(pair.right, cast.admin, state=CaseState.OPEN)
    clash = api.post(MERGES, _body(pair))
    assert clash.status_code == 422 and "live case" in clash.json()["detail"]
    assert not PersonMerge.objects.exists()
