from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from resettle.operations.backups import BackupError, verify


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database and check it holds what its manifest says: "
        "every table's rows, every audit chain's head, and the audit trail's own check."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            problems = verify(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if problems:
            raise CommandError(
                f"{options['file'].name} does not restore whole:\n" + "\n".join(problems)
            )
        self.stdout.write(f"{options['file'].name} restores whole: rows and audit trail match")
