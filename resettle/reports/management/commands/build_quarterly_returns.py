"""Build every partnership's quarterly return for the last quarter that has ended, kept for
its managers and analysts to come back to. Running it again builds none twice, so it is safe
from a daily timer: the first run after a quarter ends builds it."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from resettle.core.exceptions import ApplicationError
from resettle.reports.models import BuildState
from resettle.reports.periods import quarter_bounds, quarter_of
from resettle.reports.services import quarterly_returns_build


def last_ended_quarter() -> str:
    this_quarter = quarter_of(timezone.localdate())
    return quarter_of(quarter_bounds(this_quarter)[0] - timedelta(days=1))


class Command(BaseCommand):
    help = "Build every partnership's quarterly return for the last ended quarter (none twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quarter", help="A quarter that has ended, like 2026-Q2 (default: the last one)."
        )
        parser.add_argument(
            "--background", action="store_true", help="Hand the work to the task worker."
        )

    def handle(self, *args: Any, quarter: str | None, background: bool, **options: Any) -> None:
        quarter = quarter or last_ended_quarter()
        try:
            builds = quarterly_returns_build(quarter=quarter, background=background)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if background:
            self.stdout.write(f"{len(builds)} quarterly returns for {quarter} queued")
            return
        failed = [b for b in builds if b.state == BuildState.FAILED]
        self.stdout.write(f"{len(builds) - len(failed)} quarterly returns for {quarter} built")
        for build in failed:
            self.stderr.write(f"{build.scope_name}: {build.error}")
        if failed:
            raise SystemExit(1)
