"""manage.py generate_scale: national-scale data on top of the demo partnership (benchmarks)."""

from argparse import BooleanOptionalAction
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resettle.demo.generator.scale import (
    DEFAULT_CHUNK,
    AlreadyGenerated,
    NoDemo,
    generate_scale,
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate national-scale synthetic data (people with families, custody histories, "
        "cases, referrals and contacts) on top of the demo partnership, into the database "
        "(COPY on PostgreSQL, batched inserts on SQLite) or as CSV or Parquet files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=_positive, default=10_000, help="People in all.")
        parser.add_argument(
            "--contacts-per-person-avg",
            type=float,
            default=10.0,
            help="Average contacts per person (10 gives 10M contacts for 1M people).",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)."
        )
        parser.add_argument("--format", choices=("db", "csv", "parquet"), default="db")
        parser.add_argument("--out", type=Path, default=None, help="Directory for csv/parquet.")
        parser.add_argument("--chunk-size", type=_positive, default=DEFAULT_CHUNK)
        parser.add_argument(
            "--bulk",
            action=BooleanOptionalAction,
            default=None,
            help="Drop and rebuild secondary indexes, check foreign keys once at the end "
            "(default: from 50,000 people).",
        )

    def handle(self, *args, **options) -> None:
        fmt = options["format"]
        if fmt != "db" and options["out"] is None:
            raise CommandError("--out DIR is needed with --format csv or parquet.")
        if fmt == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError as exc:
                raise CommandError(
                    "Parquet needs pyarrow: install the bench extra "
                    "(`make bench` does, or `uv pip sync requirements-bench.lock`)."
                ) from exc
        self.stdout.write(
            f"Generating {options['people']:,} people "
            f"(~{options['contacts_per_person_avg']:g} contacts each) into "
            f"{fmt if fmt != 'db' else 'the database'}…"
        )
        try:
            result = generate_scale(
                people=options["people"],
                contacts_per_person=options["contacts_per_person_avg"],
                seed=options["seed"],
                today=options["today"],
                fmt=fmt,
                out=options["out"],
                chunk_size=options["chunk_size"],
                bulk=options["bulk"],
                progress=self.stdout.write,
            )
        except (NoDemo, AlreadyGenerated) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.rows:,} rows in {result.seconds:.1f}s "
                f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s): "
                f"{result.people:,} people ({result.leavers:,} leaving prison)."
            )
        )
        for name, count in result.counts.items():
            self.stdout.write(f"  {count:>12,}  {name}")
