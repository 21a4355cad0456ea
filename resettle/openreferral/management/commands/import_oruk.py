"""Import services from an Open Referral UK feed file, as an organisation admin would on the
import page: every row checked first, then all imported in one transaction, or none."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.core.exceptions import ApplicationError
from resettle.openreferral.importer import (
    FeedError,
    feed_import_upload,
    import_feed,
    plan_import,
    rows_of,
)


class Command(BaseCommand):
    help = "Import services from an Open Referral UK JSON feed into one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("feed", type=Path, help="The JSON feed file")
        parser.add_argument("--username", required=True, help="An organisation admin")
        parser.add_argument(
            "--organisation",
            required=True,
            help="The organisation's name (the admin must be one of its admins)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and show the plan; import nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"], options["organisation"])
        path: Path = options["feed"]
        try:
            payload = json.loads(path.read_text(encoding="utf-8-sig"))
            rows_of(payload)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{path} is not valid JSON (line {error.lineno}: {error.msg})"
            ) from error
        except FeedError as error:
            raise CommandError(str(error)) from error
        plan = plan_import(organisation=actor.organisation, payload=payload)
        for problem in plan.problems:
            self.stderr.write(str(problem))
        if not plan.ok:
            raise CommandError(f"{len(plan.problems)} problems found; nothing was imported")
        for row in plan.rows:
            self.stdout.write(f"Row {row.row}: {row.action} {row.name}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was imported")
            return
        try:
            feed_import = feed_import_upload(actor=actor, file_name=path.name, payload=payload)
            plan = import_feed(actor=actor, feed_import=feed_import)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(plan.creates)} new services and updated {len(plan.updates)}"
            )
        )

    def _actor(self, username: str, organisation: str) -> Membership:
        for membership in Membership.objects.filter(
            user__username=username, organisation__name=organisation
        ).select_related("organisation", "user"):
            if policy.can_import_services(membership):
                return membership
        raise CommandError(f"{username} is not a current admin of {organisation}")
