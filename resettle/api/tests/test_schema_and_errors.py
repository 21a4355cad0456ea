import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from ninja import Schema

from resettle.api.api import api
from resettle.api.base import ApiSchema
from resettle.api.tests.conftest import assert_problem
from resettle.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_public_json_with_every_resource(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("people", "households", "organisations"):
        assert f"/api/v1/{path}" in schema["paths"]
        assert (
            f"/api/v1/{path}/{{{path[:-1] if path != 'people' else 'person'}_id}}"
            in (schema["paths"])
        )
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_schema_documents_problems_and_the_headers(client):
    schema = client.get("/api/v1/openapi.json").json()

    create = schema["paths"]["/api/v1/people"]["post"]
    update = schema["paths"]["/api/v1/people/{person_id}"]["patch"]
    assert {"201", "400", "401", "403"} <= create["responses"].keys()
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert "If-Match" in {p["name"] for p in update["parameters"]}
    assert "Problem" in schema["components"]["schemas"]


def test_the_docs_page_is_public_and_loads_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<script>" not in html  # the CSP allows only script files
    assert "style=" not in html
    for asset in re.findall(r"""(?:src|href)=["']/static/([^"']+)""", html):
        assert finders.find(asset), asset


def test_the_docs_page_is_served_under_the_content_security_policy(client):
    policy = client.get("/api/v1/docs")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_api_root_points_to_the_schema_and_docs(client):
    body = client.get("/api/v1/").json()

    assert body["openapi"].endswith("/api/v1/openapi.json")
    assert body["docs"].endswith("/api/v1/docs")


def test_an_unknown_api_path_is_a_problem_not_a_page(client):
    assert_problem(client.get("/api/v1/no-such-resource"), 404)
    csrf_checking = Client(enforce_csrf_checks=True)
    assert_problem(csrf_checking.post("/api/v1/no-such-resource", {}), 404)


def test_an_unexpected_error_is_a_500_problem_without_a_traceback(api_as, cast, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("resettle.people.selectors.person_list", broken)
    client = api_as(cast.caseworker)
    client.client.raise_request_exception = False

    with override_settings(DEBUG=True):
        response = client.get("/api/v1/people")

    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["detail"]


def test_every_operation_requires_a_token():
    """Deny by default: a new endpoint that forgets authentication fails here."""
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security") == [{"TokenAuth": []}], f"{method} {path}"


def test_the_swagger_files_ship_with_the_app():
    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert Path(finders.find(f"ninja/{name}")).stat().st_size > 0


def _project_schemas() -> list[type[Schema]]:
    found, waiting = [], [Schema]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith("resettle."):
                found.append(subclass)
    return found


def test_every_api_shape_reads_dates_strictly_and_has_a_name_of_its_own():
    """Shapes built on ApiSchema refuse `0` as a date; two shapes of one name would share one
    entry in the published schema, and one of them would be described wrongly."""
    shapes = _project_schemas()

    assert shapes
    assert [s.__name__ for s in shapes if not issubclass(s, ApiSchema)] == []
    names = [s.__name__ for s in shapes]
    assert sorted({n for n in names if names.count(n) > 1}) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Enter a date like 2026-04-01"),
        ("01/04/2026", "Enter a date like 2026-04-01"),
        ("0001-01-01", "Enter a date between the years 1900 and 2100"),
    ],
)
def test_a_date_that_is_not_an_iso_date_is_refused(api_as, cast, value, message):
    response = api_as(cast.caseworker).get("/api/v1/people", {"date_of_birth": value})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "date_of_birth", "message": message}]


def test_a_date_time_without_a_time_zone_is_refused(api_as, cast):
    response = api_as(cast.caseworker).get(
        "/api/v1/contacts", {"happened_after": "2026-04-01T10:00:00"}
    )

    assert response.status_code == 400
    assert "with a time zone" in response.json()["errors"][0]["message"]


def test_text_with_a_nul_character_is_refused(api_as, cast):
    response = api_as(cast.caseworker).get("/api/v1/people", {"q": "Ali\x00ce"})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "q", "message": "Remove the NUL character (\\u0000)"}
    ]


def test_a_body_too_large_is_refused_with_413_and_nothing_is_saved(api_as, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"given_name": "A" * 20_000, "family_name": "Large"}

    response = api_as(cast.caseworker).post("/api/v1/people", body)

    assert_problem(response, 413)
    assert "at most 9 KB" in response.json()["detail"]
    assert not Person.objects.filter(family_name="Large").exists()


@pytest.mark.parametrize("value", ["2026-04-01T10:00:00-16:41", "2026-04-01T25:00:00Z"])
def test_a_time_zone_or_time_no_clock_has_is_refused(api_as, cast, value):
    response = api_as(cast.caseworker).get("/api/v1/contacts", {"happened_after": value})

    assert response.status_code == 400


def test_the_published_schema_never_repeats_a_key(client):
    """Swagger UI's parser refuses JSON with a key twice (e.g. a status ninja and
    `openapi_extra` both describe)."""
    repeated: list[str] = []

    def no_repeats(pairs):
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_repeats)

    assert repeated == []
