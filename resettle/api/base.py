"""The base of every request and response shape. Dates and date-times are read only as the
ISO 8601 strings the schema documents: pydantic on its own would take `0` or `"0.5"` as a Unix
time, and a date-time without a time zone or outside the years the service can hold would fail
deep inside instead of being refused here."""

import re
import types
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin

from ninja import Schema
from pydantic import GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Offsets as time zones have them: at most 14 hours from UTC.
TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|z|[+-](0\d|1[0-4]):?[0-5]\d)"
ISO_DATETIME = re.compile(rf"\d{{4}}-\d{{2}}-\d{{2}}[T ]{TIME}")
# Dates the service holds: people alive or recently dead, events of their lives and plans.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
# The same rules as the schema publishes them (JSON Schema patterns are not anchored).
YEARS = r"(19\d\d|20\d\d|2100)"
DATE_PATTERN = rf"^{YEARS}-\d{{2}}-\d{{2}}$"
DATETIME_PATTERN = rf"^{YEARS}-\d{{2}}-\d{{2}}[T ]{TIME}$"


def _temporal_kind(annotation: Any) -> type | None:
    """datetime or date when the field holds one (possibly optional), else None."""
    if annotation in (datetime, date):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg in (datetime, date):
                return arg
    return None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False


def _with_pattern(schema: dict[str, Any], pattern: str) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string":
            option["pattern"] = pattern


class ApiSchema(Schema):
    """Dates and date-times only as ISO 8601 (with a time zone) in the years the service holds,
    and no text with a NUL character, on every field of every shape; the published schema says
    so with patterns."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        resolved = handler.resolve_ref_schema(json_schema)
        for name, field in cls.model_fields.items():
            kind = _temporal_kind(field.annotation)
            prop = resolved.get("properties", {}).get(field.alias or name)
            if kind is not None and prop is not None:
                _with_pattern(prop, DATETIME_PATTERN if kind is datetime else DATE_PATTERN)
        return json_schema

    @field_validator("*", mode="before")
    @classmethod
    def _plain_text_and_iso_dates(cls, value: Any, info: ValidationInfo) -> Any:
        if _holds_nul(value):
            # PostgreSQL cannot store it, and no one types it.
            raise PydanticCustomError("nul", "Remove the NUL character (\\u0000)")
        if info.field_name is None or value is None or isinstance(value, date):
            return value
        kind = _temporal_kind(cls.model_fields[info.field_name].annotation)
        if kind is None:
            return value
        if kind is datetime:
            if not isinstance(value, str) or not ISO_DATETIME.fullmatch(value):
                raise PydanticCustomError(
                    "iso_datetime",
                    "Enter a date and time in ISO 8601 with a time zone, like "
                    "2026-04-01T14:30:00Z or 2026-04-01T15:30:00+01:00",
                )
        elif not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise PydanticCustomError("iso_date", "Enter a date like 2026-04-01")
        if not EARLIEST_YEAR <= int(value[:4]) <= LATEST_YEAR:
            raise PydanticCustomError(
                "year_range",
                f"Enter a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}",
            )
        return value
