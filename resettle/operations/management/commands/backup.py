from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resettle.operations.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (safe while the service runs) into one checksummed file, with a "
        "manifest of row counts and audit chain heads."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="The folder to write into (default: RESETTLE_BACKUP_DIR).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["to"] or settings.BACKUP_DIR
        try:
            path = make_backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path} (checksum in {path.name}.sha256)")
