"""Loading instrument files into the database: every file is read and checked first, and only
if all of them validate is anything written, in one transaction. A version already loaded with
the same definition is left alone; a changed definition under a version that has answers is
refused (a change is a new version, so old answers keep the questions they were given to)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from resettle.outcomes.definitions import Definition, DefinitionError, parse_definition

SHIPPED = Path(__file__).resolve().parent / "instruments"


@dataclass(frozen=True)
class Loaded:
    code: str
    version: int
    outcome: str  # "added", "updated" or "unchanged"


def read_definitions(paths: list[Path]) -> list[tuple[Definition, dict[str, Any]]]:
    """Each file's definition and JSON, or the first DefinitionError (naming file and question)."""
    read: list[tuple[Definition, dict[str, Any]]] = []
    seen: dict[tuple[str, int], str] = {}
    for path in sorted(paths):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DefinitionError(f"{path.name}: not readable JSON ({exc})") from exc
        definition = parse_definition(data, path.name)
        key = (definition.code, definition.version)
        if key in seen:
            raise DefinitionError(
                f"{path.name}: {definition.code} version {definition.version} is also in "
                f"{seen[key]}"
            )
        seen[key] = path.name
        read.append((definition, data))
    return read


def load_instruments(directory: Path | None = None) -> list[Loaded]:
    from resettle.outcomes.models import Instrument

    paths = list((directory or SHIPPED).glob("*.json"))
    read = read_definitions(paths)
    results = []
    with transaction.atomic():
        for definition, data in read:
            existing = Instrument.objects.filter(
                code=definition.code, version=definition.version
            ).first()
            if existing is None:
                Instrument.objects.create(
                    code=definition.code,
                    version=definition.version,
                    name=definition.name,
                    definition=data,
                )
                results.append(Loaded(definition.code, definition.version, "added"))
            elif existing.definition == data:
                results.append(Loaded(definition.code, definition.version, "unchanged"))
            elif existing.assessments.exists():
                raise DefinitionError(
                    f"{definition.code} version {definition.version} has answers already and "
                    "cannot change: give the changed file a new version"
                )
            else:
                existing.definition, existing.name = data, definition.name
                existing.save(update_fields=["definition", "name", "updated_at"])
                results.append(Loaded(definition.code, definition.version, "updated"))
    return results


def load_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from resettle.outcomes.models import Instrument

    # A partial migrate (or one back to before this app) leaves no table to load into.
    if Instrument._meta.db_table in connections[using].introspection.table_names():
        load_instruments()
