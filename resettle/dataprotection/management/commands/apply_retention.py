"""Carry out every partnership's retention schedule: anonymise or delete what is due, each
record in its own transaction, and count it in the erasure log. For a nightly timer; stopped
half-way, it is simply run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from resettle.dataprotection import retention
from resettle.dataprotection.models import RetentionRule


class Command(BaseCommand):
    help = "Anonymise or delete the records each partnership's retention schedule makes due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say how many records each rule would anonymise or delete, and change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        counts = retention.preview() if dry_run else retention.apply_retention()
        rules = RetentionRule.objects.select_related("partnership")
        for rule in rules:
            count = counts.get(rule.pk, 0)
            verb = "would be" if dry_run else "was" if count == 1 else "were"
            self.stdout.write(
                f"{rule.partnership.name}: {rule.get_record_type_display().lower()} after "
                f"{rule.years} years: {count} {'record' if count == 1 else 'records'} {verb} "
                f"{'anonymised' if rule.action == 'anonymise' else 'cleared of notes'}"
            )
        total = sum(counts.values())
        self.stdout.write(f"{total} {'record' if total == 1 else 'records'} in all")
