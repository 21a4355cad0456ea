import pytest

from resettle.referrals.models import Referral, ReferralState
from resettle.referrals.tests.conftest import NAMES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/referrals"


def _create(api, person, session, **extra):
    return api.post(
        BASE,
        {
            "person": str(person.pk),
            "service": str(session.pk),
            "reason": "Football before prison; wants to get fit.",
            "pathway": "sport",
            "shared_categories": ["risk_suitability"],
            "submit": True,
        }
        | extra,
        headers={"Idempotency-Key": "refer-sam-1"},
    )


def test_refer_see_accept_and_see_the_decision(api_as, cast, person, session):
    probation = api_as(cast.probation)
    created = _create(probation, person, session)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "submitted" and body["person"] == str(person.pk)
    # A retried request with the same key gives the same referral, not a second one.
    again = _create(probation, person, session)
    assert again.json()["id"] == body["id"]
    assert Referral.objects.count() == 1

    coordinator = api_as(cast.coordinator)
    received = coordinator.get(BASE, {"box": "received"}).json()
    assert [r["id"] for r in received["results"]] == [body["id"]]
    assert received["results"][0]["person"] is None
    detail = coordinator.get(f"{BASE}/{body['id']}")
    seen = detail.json()
    assert seen["person_identity"]["family_name"] == "Okafor"
    assert seen["suitability"]["answers"]["sessions_with_under_18s_present"] == "no"
    assert seen["suitability"]["answers"]["named_people_to_avoid"] is None
    assert NAMES not in detail.content.decode()

    accepted = coordinator.post(
        f"{BASE}/{body['id']}/accept", {"note": ""}, headers={"If-Match": detail["ETag"]}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["person"] == str(person.pk)
    decision = probation.get(f"{BASE}/{body['id']}").json()
    assert decision["state"] == "accepted" and decision["decided_at"]


def test_a_stale_if_match_is_409_with_the_current_state(api_as, cast, submitted):
    coordinator = api_as(cast.coordinator)
    etag = coordinator.get(f"{BASE}/{submitted.pk}")["ETag"]
    api_as(cast.probation).post(f"{BASE}/{submitted.pk}/withdraw", {"reason": "Moved"})
    refused = coordinator.post(
        f"{BASE}/{submitted.pk}/accept", {"note": ""}, headers={"If-Match": etag}
    )
    assert refused.status_code == 409
    assert "withdrawn" in refused.json()["detail"]
    assert refused["ETag"] != etag


def test_illegal_transitions_are_422_and_wrong_side_403(api_as, cast, submitted):
    coordinator = api_as(cast.coordinator)
    assert coordinator.post(f"{BASE}/{submitted.pk}/complete", {"outcome": "x"}).status_code == 422
    assert api_as(cast.probation).post(f"{BASE}/{submitted.pk}/accept", {}).status_code == 403
    assert api_as(cast.housing).get(f"{BASE}/{submitted.pk}").status_code == 404


def test_ineligible_needs_an_override_and_decline_codes(api_as, cast, person, session):
    session.maximum_age = 20
    session.save()
    refused = _create(api_as(cast.probation), person, session)
    assert refused.status_code == 400
    fields = {e["field"] for e in refused.json()["errors"]}
    assert "eligibility_override_reason" in fields
    created = api_as(cast.probation).post(
        BASE,
        {
            "person": str(person.pk),
            "service": str(session.pk),
            "reason": "r",
            "pathway": "sport",
            "eligibility_override_reason": "Agreed with the coach",
            "submit": True,
        },
    )
    assert created.status_code == 201
    rid = created.json()["id"]
    waiting = api_as(cast.coordinator).post(f"{BASE}/{rid}/decline", {"reason": "no_capacity"})
    assert waiting.json()["state"] == ReferralState.WAITING_LIST
    assert waiting.json()["waiting_list_position"] == 1
    listed = api_as(cast.coordinator).get(f"{BASE}/waiting-list", {"service": str(session.pk)})
    assert listed.json()["results"][0]["referral"] == rid
