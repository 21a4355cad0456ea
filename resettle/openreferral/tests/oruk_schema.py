"""Validating responses against the vendored Open Referral UK schemas (../schemas), offline: the
profile's OpenAPI document refers to its schema files by their published URLs, which a
`referencing` registry maps to the local copies."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
PUBLISHED = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
OPENAPI = PUBLISHED + "openapi.json"


@cache
def registry() -> Registry:
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        contents = json.loads(path.read_text())
        uri = PUBLISHED + path.relative_to(SCHEMAS).as_posix()
        resources.append((uri, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources)


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_validator(path: str) -> Draft202012Validator:
    """The validator for a 200 response of `GET path`, as the profile's OpenAPI document says."""
    pointer = _pointer("paths", path, "get", "responses", "200", "content", "application/json")
    schema = {"$ref": f"{OPENAPI}#/{pointer}/schema"}
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def schema_validator(name: str) -> Draft202012Validator:
    """The validator for one vendored schema file, e.g. "taxonomy_term.json"."""
    return Draft202012Validator(
        {"$ref": PUBLISHED + name}, registry=registry(), format_checker=FormatChecker()
    )


def problems(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]
