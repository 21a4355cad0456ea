"""`manage.py two_factor_link <username>`: for Resettle's operators. Removes the account's
authenticator and recovery codes and prints a one-time link with which it chooses a password
and sets up two-factor sign-in: how an operator made with `createsuperuser` first enrols (a
password alone never enrols an authenticator), and how an account is recovered when no admin of
its organisation can reset it."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resettle.accounts.models import User
from resettle.accounts.services import two_factor_link_for_operator


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor sign-in and print a one-time link (valid 7 days) with which "
        "they choose a password and set it up again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("RESETTLE_BASE_URL", "http://127.0.0.1:8000"),
            help="Where Resettle is served, for the link (default: $RESETTLE_BASE_URL).",
        )

    def handle(self, *args, username: str, base_url: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        try:
            link = two_factor_link_for_operator(user=user, base_url=base_url)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"{username}'s two-factor sign-in is removed. Give them this link, which works once, "
            "for 7 days, to choose a password and set it up again:"
        )
        self.stdout.write(link)
