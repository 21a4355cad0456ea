"""The case actions over the API, from the lifecycle table: each one as the case's own
caseworker, then refused on a version the client did not read (409), to a role that does not
manage cases (403), to an organisation that cannot see the case (404) and from a state the
table does not allow (422). Retrying with the same Idempotency-Key acts once."""

import pytest
from django.test import Client

from resettle.cases import services
from resettle.cases.models import Case, CaseState
from resettle.custody.tests.conftest import days
from resettle.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db

TODAY = days(0).isoformat()
# action -> (body, the state the case is in before, the state it is in after)
ACTIONS = {
    "pause": ({"on": TODAY, "reason": "In hospital"}, CaseState.OPEN, CaseState.PAUSED),
    "resume": ({"on": TODAY}, CaseState.PAUSED, CaseState.OPEN),
    "close": (
        {"closed_on": TODAY, "close_reason": "goals_met"},
        CaseState.OPEN,
        CaseState.CLOSED,
    ),
    "reopen": ({"on": TODAY}, CaseState.CLOSED, CaseState.OPEN),
}


def api(actor) -> ApiClient:
    return ApiClient(Client(), token_for(actor.user))


@pytest.fixture
def follow_up(agreement):
    """Identity and contact stay readable for 30 days after the work ends, so a closed case
    can still be reopened."""
    agreement.follow_up_days = 30
    agreement.save()


def _case_in(cast, person, state: str) -> Case:
    case = services.case_open(actor=cast.caseworker, person=person, opened_on=days(-30))
    if state == CaseState.PAUSED:
        services.case_pause(actor=cast.caseworker, case=case, on=days(-1), reason="Away")
    if state == CaseState.CLOSED:
        services.case_close(
            actor=cast.caseworker, case=case, closed_on=days(-1), close_reason="other"
        )
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_moves_the_case_and_answers_its_new_state(cast, person, follow_up, action):
    body, before, after = ACTIONS[action]
    case = _case_in(cast, person, before)
    response = api(cast.caseworker).post(f"/api/v1/cases/{case.pk}/{action}", body)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == after
    case.refresh_from_db()
    assert case.state == after


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_refused_on_a_stale_version(cast, person, follow_up, action):
    body, before, _after = ACTIONS[action]
    case = _case_in(cast, person, before)
    client = api(cast.caseworker)
    etag = client.get(f"/api/v1/cases/{case.pk}")["ETag"]
    Case.objects.get(pk=case.pk).save()  # someone else's change since the client read it
    response = client.post(f"/api/v1/cases/{case.pk}/{action}", body, headers={"If-Match": etag})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.state == before


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_a_404_to_whoever_cannot_see_the_case(cast, make_person, follow_up, action):
    """The lead charity's analyst sees no one's records; the family charity and an outside
    organisation do not work with the person: each is answered as for a case that does not
    exist."""
    body, before, _after = ACTIONS[action]
    person = make_person(cast.caseworker)
    case = _case_in(cast, person, before)
    for who in (cast.analyst, cast.outsider, cast.family):
        response = api(who).post(f"/api/v1/cases/{case.pk}/{action}", body)
        assert response.status_code == 404, (who, response.content)
    case.refresh_from_db()
    assert case.state == before


@pytest.mark.parametrize("who", ["probation", "mentor"])
def test_a_partner_that_sees_the_case_may_not_change_it(cast, person, who):
    """Probation and the peer mentor work with the person and the agreement shares case notes:
    they read the lead charity's case, and are refused changing it."""
    case = _case_in(cast, person, CaseState.OPEN)
    client = api(getattr(cast, who))
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    response = client.post(f"/api/v1/cases/{case.pk}/pause", ACTIONS["pause"][0])
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


@pytest.mark.parametrize(
    ("action", "state"),
    [("pause", CaseState.PAUSED), ("resume", CaseState.OPEN), ("reopen", CaseState.OPEN)],
)
def test_an_action_the_state_does_not_allow_is_refused(cast, person, action, state):
    case = _case_in(cast, person, state)
    response = api(cast.caseworker).post(f"/api/v1/cases/{case.pk}/{action}", ACTIONS[action][0])
    assert response.status_code == 422
    assert "This case is" in response.json()["detail"]


def test_invalid_input_names_the_field(cast, person):
    case = _case_in(cast, person, CaseState.OPEN)
    response = api(cast.caseworker).post(
        f"/api/v1/cases/{case.pk}/close",
        {"closed_on": days(5).isoformat(), "close_reason": "other"},
    )
    assert response.status_code == 400
    assert "closed_on" in str(response.json())


def test_a_retried_action_with_the_same_key_acts_once(cast, person):
    case = _case_in(cast, person, CaseState.OPEN)
    client = api(cast.caseworker)
    headers = {"Idempotency-Key": "pause-once"}
    first = client.post(f"/api/v1/cases/{case.pk}/pause", ACTIONS["pause"][0], headers=headers)
    again = client.post(f"/api/v1/cases/{case.pk}/pause", ACTIONS["pause"][0], headers=headers)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert case.events.filter(kind="paused").count() == 1
