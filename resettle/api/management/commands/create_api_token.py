from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from resettle.accounts.models import User
from resettle.api.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret (shown this once only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Days until the token stops working; by default it does not expire.",
        )

    def handle(self, *args, username: str, name: str, expires_in_days: int | None, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"There is no user called {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"{username!r} is switched off; their tokens would not work.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            created = api_token_create(user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The secret alone on stdout, so scripts can capture it; the note goes to stderr.
        self.stderr.write(
            f"Created API token {created.token.name!r} for {username}. "
            "Keep it safe: it will not be shown again."
        )
        self.stdout.write(created.secret)
