"""Link the person records of each partnership (or one): the same run the pages and the API
start, here in the foreground, or handed to the task worker with --background. Only the records
added or changed since the partnership's last finished run are linked, with its model, unless
--full asks for every record and the model trained again (a partnership never linked is linked
in full). --upper and --lower set the run's thresholds (a change links every record again)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resettle.core.exceptions import ApplicationError
from resettle.linkage import services
from resettle.linkage.models import RunState
from resettle.partnerships.models import Partnership


class Command(BaseCommand):
    help = "Link the person records of every partnership, or of one (--partnership NAME)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", help="The partnership's name (default: every one).")
        parser.add_argument(
            "--background", action="store_true", help="Hand the runs to the task worker."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Link every record again and train the model again (default: only the records "
            "added or changed since the last finished run).",
        )
        parser.add_argument(
            "--upper",
            type=float,
            help="Match weight at or above which pairs link without review (default: the last "
            "run's, or 1.0). A change links every record again.",
        )
        parser.add_argument(
            "--lower",
            type=float,
            help="Match weight below which pairs are ignored; between the two they go to review "
            "(default: the last run's, or 0.0).",
        )

    def handle(
        self,
        *args: Any,
        partnership: str | None,
        background: bool,
        full: bool,
        upper: float | None,
        lower: float | None,
        **options: Any,
    ) -> None:
        partnerships = Partnership.objects.order_by("name")
        if partnership:
            partnerships = partnerships.filter(name=partnership)
            if not partnerships.exists():
                raise CommandError(f"No partnership is called {partnership!r}.")
        failed = False
        for each in partnerships:
            try:
                run = services.linkage_run_request(
                    actor=None,
                    partnership=each,
                    full=full,
                    upper_threshold=upper,
                    lower_threshold=lower,
                )
            except services.RunUnderWay as error:
                self.stderr.write(error.message)
                failed = True
                continue
            except ApplicationError as error:
                raise CommandError(error.message) from error
            if background:
                self.stdout.write(f"{each.name}: queued (run {run.pk}).")
                continue
            run = services.linkage_run_execute(run_id=run.pk)
            if run.state != RunState.DONE:
                self.stderr.write(f"{each.name}: {run.error}")
                failed = True
                continue
            figures = run.figures
            self.stdout.write(
                f"{each.name}: {figures['records']:,} records, {figures['clusters']:,} people, "
                f"{figures['linked']:,} pairs linked, {figures['review']:,} to review "
                f"({figures['seconds']}s); {run.get_kind_display().split(':')[0].lower()} run, "
                f"{run.records_linked:,} records linked."
            )
        if failed:
            raise CommandError("Some partnerships were not linked.")
