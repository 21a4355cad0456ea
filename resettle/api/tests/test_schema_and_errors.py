import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from resettle.api.api import api
from resettle.api.tests.conftest import assert_problem

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
