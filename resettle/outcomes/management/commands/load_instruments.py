from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resettle.outcomes.definitions import DefinitionError
from resettle.outcomes.instruments_loader import load_instruments


class Command(BaseCommand):
    help = (
        "Load or update outcome instruments from JSON files (the shipped ones by default). "
        "Nothing is loaded unless every file validates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory", type=Path, help="A folder of instrument files (*.json) to load"
        )

    def handle(self, *args: Any, directory: Path | None = None, **options: Any) -> None:
        if directory is not None and not directory.is_dir():
            raise CommandError(f"{directory} is not a folder")
        try:
            results = load_instruments(directory)
        except DefinitionError as exc:
            raise CommandError(f"Nothing loaded. {exc}") from exc
        for loaded in results:
            self.stdout.write(f"{loaded.code} version {loaded.version}: {loaded.outcome}")
