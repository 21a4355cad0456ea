"""/api/v1/services: DESIGN §6's shape, the directory's visibility and who may change it."""

import pytest

from resettle.api.tests.conftest import assert_problem
from resettle.directory.models import Access

pytestmark = pytest.mark.django_db
SERVICES = "/api/v1/services"


def test_the_list_has_the_design_shape_and_partners_referral_only_services(
    api_as, cast, make_service
):
    make_service(name="Referral football", capacity=5)

    body = api_as(cast.caseworker).get(SERVICES).json()
    item = body["results"][0]
    assert {
        "id",
        "organisation",
        "name",
        "description",
        "access",
        "pathways",
        "eligibility",
        "capacity",
        "waiting_list",
    } <= item.keys()
    assert item["capacity"] == 5 and item["waiting_list"] == {"kept": True, "count": 0}
    assert api_as(cast.outsider).get(SERVICES).json()["count"] == 0
    assert api_as(None).get(SERVICES).status_code == 401


def test_an_outsider_sees_open_services_but_not_referral_only_ones(api_as, cast, make_service):
    open_one = make_service(name="Open", access=Access.OPEN)
    hidden = make_service(name="Hidden")

    assert api_as(cast.outsider).get(f"{SERVICES}/{open_one.pk}").status_code == 200
    assert_problem(api_as(cast.outsider).get(f"{SERVICES}/{hidden.pk}"), 404)


def test_create_validates_and_patch_is_for_the_owner_only(api_as, cast, make_service):
    bad = api_as(cast.coordinator).post(
        SERVICES,
        {
            "name": "X",
            "description": "Y",
            "access": "open",
            "pathways": ["sport"],
            "custody_status": "pre_release",
        },
    )
    assert_problem(bad, 400)
    service = make_service()
    assert_problem(api_as(cast.admin).patch(f"{SERVICES}/{service.pk}", {"name": "Mine"}), 403)
    response = api_as(cast.coordinator).patch(f"{SERVICES}/{service.pk}", {"status": "inactive"})
    assert response.status_code == 200 and response.json()["status"] == "inactive"


def test_eligible_for_a_person_not_visible_is_a_404(api_as, cast, make_person, make_service):
    make_service(minimum_age=18)
    person = make_person(cast.probation)
    assert_problem(api_as(cast.housing).get(SERVICES, {"eligible_for": str(person.pk)}), 404)
    assert (
        api_as(cast.probation).get(SERVICES, {"eligible_for": str(person.pk)}).json()["count"] == 1
    )
