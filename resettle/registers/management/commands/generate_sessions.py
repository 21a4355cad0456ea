"""Make the coming weeks' sessions from every active service's schedules. Running it again adds
none twice, so it is safe from a nightly timer."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from resettle.registers.services import DEFAULT_WEEKS, MAX_WEEKS
from resettle.registers.tasks import generate_sessions


class Command(BaseCommand):
    help = "Make the coming weeks' sessions from the services' schedules (none twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
        parser.add_argument(
            "--background", action="store_true", help="Hand the work to the task worker."
        )

    def handle(self, *args: Any, weeks: int, background: bool, **options: Any) -> None:
        if not 1 <= weeks <= MAX_WEEKS:
            self.stderr.write(f"--weeks must be from 1 to {MAX_WEEKS}")
            raise SystemExit(2)
        if background:
            result = generate_sessions.enqueue(weeks=weeks)
            self.stdout.write(f"Queued ({result.id})")
            return
        made = generate_sessions.call(weeks=weeks)
        self.stdout.write(f"{made} new sessions")
