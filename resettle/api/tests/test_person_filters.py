"""One rule for every list that takes `?person=`: a person the caller may not see is a 404,
as it is for the single-record routes, never an empty 200 that confirms nothing and hides a
mistake; a person they may see narrows the list."""

import pytest

pytestmark = pytest.mark.django_db

# Every list operation with a `person` filter. Suitability's list needs the person, and the
# audit-events list answers who has looked at a record: both are 404 for a hidden person too.
LISTS = [
    "/api/v1/cases",
    "/api/v1/consents",
    "/api/v1/contacts",
    "/api/v1/custody-periods",
    "/api/v1/goals",
    "/api/v1/appointments",
    "/api/v1/enrolments",
    "/api/v1/outcome-events",
    "/api/v1/assessments",
    "/api/v1/suitability-assessments",
    "/api/v1/audit-events",
    "/api/v1/tasks",
]


def test_the_list_is_every_list_with_a_person_filter():
    from resettle.api.api import api

    schema = api.get_openapi_schema()
    with_person = {
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "person" for p in operations.get("get", {}).get("parameters", []))
    }
    assert with_person == set(LISTS)


@pytest.mark.parametrize("path", LISTS)
def test_a_person_the_caller_may_not_see_is_a_404(api_as, cast, make_person, agreement, path):
    hidden = make_person(cast.outsider)

    response = api_as(cast.caseworker).get(path, {"person": str(hidden.pk)})

    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", LISTS)
def test_a_person_who_does_not_exist_is_the_same_404(api_as, cast, path):
    response = api_as(cast.caseworker).get(path, {"person": "8d3f1c9e-0000-4000-8000-000000000000"})

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/consents", "/api/v1/enrolments"])
def test_a_person_the_caller_sees_is_a_200(api_as, cast, make_person, agreement, path):
    person = make_person(cast.caseworker)

    response = api_as(cast.caseworker).get(path, {"person": str(person.pk)})

    assert response.status_code == 200
    assert response.json()["results"] == []
