"""Which columns each generated table fills, and the value every other column gets.

A bulk generator writes rows as plain tuples, not model instances: it names the fields it fills,
in order, and every other concrete field of the model is filled with its default (or NULL), read
from the model at run time. So a nullable or defaulted field another app adds later needs no
change here; a new *required* field without a default stops the generator with a clear message.

Values in a row are already in the form both databases accept as text: UUIDs as 32 hex digits,
dates as YYYY-MM-DD, date-times as "YYYY-MM-DD HH:MM:SS" in UTC (plus "+00" for PostgreSQL),
JSON as text, booleans as bool, numbers as int.
"""

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from django.db import models
from django.db.models.fields.related import RelatedField


class MissingValue(Exception):
    pass


def _constant(f: models.Field, now: str) -> object:
    """The value a column the generator does not fill gets: its default, else NULL."""
    if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
        return now
    if f.has_default():
        value = f.get_default()
    elif f.null:
        return None
    elif f.blank and isinstance(f, models.CharField | models.TextField):
        return ""
    else:
        raise MissingValue(
            f"{f.model.__name__}.{f.name} is required and has no default: the scale generator "
            "must fill it (resettle/demo/generator/scale/)."
        )
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _kind(f: models.Field) -> str:
    """The column's type, for the CSV and Parquet writers."""
    target = f.target_field if isinstance(f, RelatedField) else f  # (a concrete relation)
    if isinstance(target, models.UUIDField):
        return "uuid"
    if isinstance(target, models.DateTimeField):
        return "datetime"
    if isinstance(target, models.DateField):
        return "date"
    if isinstance(target, models.BooleanField):
        return "bool"
    if isinstance(target, models.IntegerField | models.AutoField):
        return "int"
    if isinstance(target, models.JSONField):
        return "json"
    return "text"


@dataclass
class Table:
    """One model's table: the fields the generator fills (in row order), then the rest."""

    model: type[models.Model]
    filled: tuple[str, ...]
    columns: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    tail: tuple = ()

    def bind(self, now: str) -> "Table":
        concrete = {f.name: f for f in self.model._meta.concrete_fields}
        unknown = [name for name in self.filled if name not in concrete]
        if unknown:
            raise MissingValue(f"{self.model.__name__} has no field(s) {', '.join(unknown)}")
        rest = [f for name, f in concrete.items() if name not in self.filled]
        ordered = [concrete[name] for name in self.filled] + rest
        self.columns = [f.column for f in ordered]
        self.kinds = [_kind(f) for f in ordered]
        self.tail = tuple(_constant(f, now) for f in rest)
        return self

    @property
    def name(self) -> str:
        return self.model._meta.db_table
