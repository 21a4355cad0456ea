"""`manage.py create_first_admin`: on a new, empty installation, the first organisation and a
one-time invitation link for its first administrator (printed, and e-mailed)."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resettle.accounts.models import OrganisationKind
from resettle.accounts.services import first_admin_invite
from resettle.core.exceptions import PermissionDenied


class Command(BaseCommand):
    help = (
        "On an empty database, create the first organisation and print a one-time invitation "
        "link for its first administrator, who then chooses a password and sets up two-factor "
        "sign-in. Refuses once any user exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's name.")
        parser.add_argument(
            "--kind",
            required=True,
            choices=OrganisationKind.values,
            help="What kind of organisation it is.",
        )
        parser.add_argument("--email", required=True, help="The first admin's e-mail address.")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument(
            "--base-url",
            default=os.environ.get("RESETTLE_BASE_URL", "http://127.0.0.1:8000"),
            help="Where Resettle is served, for the link (default: $RESETTLE_BASE_URL).",
        )

    def handle(self, *args, **options) -> None:
        try:
            invitation, link = first_admin_invite(
                organisation_name=options["organisation"],
                kind=options["kind"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                base_url=options["base_url"],
            )
        except PermissionDenied as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        until = invitation.expires_at.strftime("%d %B %Y %H:%M %Z")
        # The link alone on stdout, so scripts can capture it; the note goes to stderr.
        self.stderr.write(
            f"Created {options['organisation'].strip()}. Open this link to choose a password and "
            f"set up two-factor sign-in as its first administrator. It works once, until {until}:"
        )
        self.stdout.write(link)
