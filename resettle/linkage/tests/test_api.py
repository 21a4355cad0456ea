"""The linkage API: start a run (202, then 409 while it is under way), follow it, list the pairs
waiting for review; refusals for other roles, other partnerships and the anonymous."""

from datetime import date

import pytest

from resettle.linkage import services
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus
from resettle.partnerships.models import Partnership

RUNS = "/api/v1/linkage/runs"
PAIRS = "/api/v1/linkage/pairs"


def test_an_admin_starts_a_run_and_follows_it(cast, api_as):
    api = api_as(cast.admin)
    response = api.post(RUNS, {})
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    assert response.json()["state"] == "queued"
    detail = api.get(f"{RUNS}/{run_id}")
    assert detail.status_code == 200
    assert detail.json()["partnership"] == str(cast.partnership.pk)


def test_a_run_after_a_finished_one_links_new_records_unless_full_is_asked_for(
    cast, make_person, api_as
):
    make_person(cast.caseworker, given_name="Daniel", family_name="Price")
    api = api_as(cast.admin)
    first = api.post(RUNS, {"full": False}).json()
    assert first["kind"] == "full"
    services.linkage_run_execute(run_id=first["id"])
    finished = api.get(f"{RUNS}/{first['id']}").json()
    assert (finished["state"], finished["records_linked"]) == ("done", 1)

    second = api.post(RUNS, {}).json()
    assert (second["kind"], second["based_on"]) == ("incremental", first["id"])
    services.linkage_run_execute(run_id=second["id"])
    assert api.get(f"{RUNS}/{second['id']}").json()["records_linked"] == 0

    third = api.post(RUNS, {"full": True}).json()
    assert (third["kind"], third["based_on"]) == ("full", None)


def test_a_run_takes_the_thresholds_asked_for_and_refuses_an_upper_not_above_the_lower(
    cast, api_as
):
    api = api_as(cast.admin)
    for body, field in (
        ({"upper_threshold": 0.0, "lower_threshold": 0.5}, "must be above the lower one"),
        ({"lower_threshold": 1.0}, "must be above the lower one"),
        ({"upper_threshold": 100}, "from -30 to 30"),
    ):
        refused = api.post(RUNS, body)
        assert refused.status_code == 422, refused.content
        assert field in refused.json()["detail"]
    assert not LinkageRun.objects.exists()

    run = api.post(RUNS, {"upper_threshold": 4.5, "lower_threshold": -1}).json()
    assert (run["upper_threshold"], run["lower_threshold"]) == (4.5, -1.0)


def test_a_second_run_while_one_is_under_way_is_a_conflict(cast, api_as):
    api = api_as(cast.admin)
    assert api.post(RUNS, {}).status_code == 202
    response = api.post(RUNS, {})
    assert response.status_code == 409
    assert "already running" in response.json()["detail"]


@pytest.mark.parametrize("who", ["caseworker", "manager", "outsider"])
def test_others_may_not_start_a_run(cast, api_as, who):
    assert api_as(getattr(cast, who)).post(RUNS, {}).status_code == 403


def test_the_anonymous_are_asked_to_authenticate(cast, api_as):
    assert api_as(None).post(RUNS, {}).status_code == 401
    assert api_as(None).get(PAIRS).status_code == 401


def test_another_partnerships_run_is_not_found(cast, api_as):
    elsewhere = Partnership.objects.create(name="Elsewhere")
    elsewhere.organisations.add(cast.outside_organisation)
    run = LinkageRun.objects.create(partnership=elsewhere)
    assert api_as(cast.admin).get(f"{RUNS}/{run.pk}").status_code == 404


def test_an_unknown_partnership_is_not_found(cast, api_as):
    elsewhere = Partnership.objects.create(name="Elsewhere")
    response = api_as(cast.admin).post(RUNS, {"partnership": str(elsewhere.pk)})
    assert response.status_code == 404


def test_pairs_for_review_show_only_what_the_reviewer_may_see(cast, make_person, api_as):
    ours = make_person(
        cast.caseworker, given_name="Daniel", family_name="Price", date_of_birth=date(1984, 2, 2)
    )
    theirs = make_person(cast.probation, given_name="Danny", family_name="Pryce")
    run = services.linkage_run_execute(
        run_id=services.linkage_run_request(actor=cast.admin, partnership=cast.partnership).pk
    )
    left, right = sorted((ours, theirs), key=lambda p: str(p.pk))
    LinkPair.objects.update_or_create(
        run=run,
        left=left,
        right=right,
        defaults={
            "match_weight": 5.0,
            "match_probability": 0.97,
            "agreed": {},
            "disagreed": [],
            "status": PairStatus.REVIEW,
        },
    )
    response = api_as(cast.admin).get(PAIRS, {"status": "review"})
    assert response.status_code == 200
    (pair,) = response.json()["results"]
    sides = {side["shared"]: side for side in (pair["left"], pair["right"])}
    assert sides[True]["fields"]["given_name"] == "Daniel"
    assert sides[False]["fields"] == {}
    assert "Danny" not in response.content.decode()
    # An admin opens no one's record, so no person's id is named.
    assert sides[True]["person"] is None


def test_pairs_refuse_a_caseworker(cast, api_as):
    assert api_as(cast.caseworker).get(PAIRS).status_code == 403
