"""manage.py generate_demo: create the fictional demo partnership (DESIGN §7)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from resettle.accounts.models import User
from resettle.demo.generator import DEMO_USERNAMES, delete_demo, demo_exists, generate
from resettle.demo.logins import sign_in_block
from resettle.demo.password import demo_password, describe_source

DEFAULT_PEOPLE = 300
DEFAULT_SEED = 2026


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Create the fictional demo partnership: organisations, one sign-in per role, and people "
        "leaving prison with their families. Does nothing if the demo exists, unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=_positive, default=DEFAULT_PEOPLE, help="People leaving prison."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="The same seed gives the same data."
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Date the demo is built around, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the existing demo data first."
        )

    def handle(
        self,
        *args: object,
        people: int,
        seed: int,
        today: date | None,
        reset: bool,
        **options: object,
    ) -> None:
        today = today or date.today()
        if demo_exists() and not reset:
            self.stdout.write(
                "The demo partnership already exists, so nothing was changed. "
                "Run with --reset to delete it and generate it again."
            )
            return
        started = time.perf_counter()
        with transaction.atomic():
            if reset and demo_exists():
                deleted = delete_demo()
                self.stdout.write(f"Deleted the existing demo data ({deleted:,} rows).")
            clashes = list(
                User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
            )
            if clashes:
                raise CommandError(
                    "These usernames are taken by accounts outside the demo, so the demo "
                    f"cannot use them: {', '.join(sorted(clashes))}."
                )
            password = demo_password(create=True)
            assert password is not None
            result = generate(people, seed, today, password=password, progress=self.stdout.write)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the demo partnership in {elapsed:.1f}s (seed {seed}, "
                f"around {today.isoformat()})."
            )
        )
        for label, count in result.counts.items():
            self.stdout.write(f"  {count:>7,}  {label}")
        self.stdout.write(sign_in_block(password, describe_source()))
