import pytest

from resettle.contacts.tests.conftest import open_case
from resettle.plans.models import GoalUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(cast, make_person):
    return make_person(cast.caseworker, cast.family, given_name="Sam", family_name="Okafor")


def test_goals_are_created_and_a_status_change_adds_history(cast, person, api_as):
    case = open_case(cast.caseworker, person)
    api = api_as(cast.caseworker)
    created = api.post(
        "/api/v1/goals",
        {"case": str(case.pk), "pathway": "accommodation", "title": "A flat of my own"},
    )
    assert created.status_code == 201, created.content
    goal_id = created.json()["id"]
    etag = api.get(f"/api/v1/goals/{goal_id}")["ETag"]
    changed = api.patch(
        f"/api/v1/goals/{goal_id}",
        {"status": "in_progress", "note": "Form sent"},
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
    assert changed.json()["updates"][0]["note"] == "Form sent"
    stale = api.patch(f"/api/v1/goals/{goal_id}", {"title": "x"}, headers={"If-Match": etag})
    assert stale.status_code == 409
    assert GoalUpdate.objects.count() == 1


def test_a_partner_cannot_change_or_see_a_goal_without_outcomes(cast, person, api_as):
    case = open_case(cast.caseworker, person)
    created = api_as(cast.caseworker).post(
        "/api/v1/goals", {"case": str(case.pk), "pathway": "health", "title": "See a GP"}
    )
    goal_id = created.json()["id"]
    assert api_as(cast.family).get(f"/api/v1/goals/{goal_id}").status_code == 404
    assert api_as(cast.family).patch(f"/api/v1/goals/{goal_id}", {}).status_code == 404
