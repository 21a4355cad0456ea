"""The published OpenAPI schema made to say what the API does: errors are problem details
(`application/problem+json`), and every operation documents the refusals any request can get."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


def _problem_content(response: dict[str, Any]) -> None:
    content = response.get("content") or {}
    if "application/json" in content:
        content[PROBLEM] = content.pop("application/json")


def as_published(schema: OpenAPISchema) -> OpenAPISchema:
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            # ninja keys responses by number, `openapi_extra` by string: one entry per status,
            # or the JSON has the same key twice (which Swagger UI refuses to parse).
            responses: dict[str, Any] = {}
            for status, response in operation.get("responses", {}).items():
                responses[str(status)] = {**responses.get(str(status), {}), **response}
            operation["responses"] = responses
            for status, response in responses.items():
                if status[0] in "45":
                    _problem_content(response)
            paged = any(p.get("name") == "page" for p in operation.get("parameters", []))
            # Any request may be malformed (400) or refused (401 without a usable token); a page
            # past the end of a list is not found (404).
            for status, description in (
                (400, "Invalid input: nothing was saved"),
                (401, "No usable API token"),
                *([(404, "There is no such page: the problem names the last")] if paged else []),
                *([(413, "The request body is too large")] if "requestBody" in operation else []),
            ):
                if operation.get("security") is None and status == 401:
                    continue
                responses.setdefault(
                    str(status),
                    {"description": description, "content": {PROBLEM: {"schema": problem_ref}}},
                )
    return schema


class ResettleAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Made once per process and address: the schema follows from the code alone, and
        making it takes longer than any page (a fifth of a second)."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        made = self.__dict__.setdefault("_published_schemas", {})
        if key not in made:
            made[key] = as_published(
                super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            )
        return made[key]
