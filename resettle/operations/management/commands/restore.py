from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from resettle.operations.backups import BackupError, Target, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database: the configured one (DATABASE_URL), or "
        "--database-url. A database that holds anything is refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The .backup file (its .sha256 beside it).")
        parser.add_argument("--database-url", default="", help="Restore into this database.")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Target.default()
        if options["database_url"]:
            db = dj_database_url.parse(options["database_url"])
            target = Target(
                vendor="sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql",
                name=str(db["NAME"]),
                host=str(db.get("HOST") or ""),
                port=str(db.get("PORT") or ""),
                user=str(db.get("USER") or ""),
                password=str(db.get("PASSWORD") or ""),
            )
        try:
            manifest = restore(options["file"], target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Restored {options['file'].name} (made {manifest['made_at']}): "
            f"{len(manifest['row_counts'])} tables, {rows} rows, into {target.name}"
        )
