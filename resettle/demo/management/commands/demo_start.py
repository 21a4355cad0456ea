"""manage.py demo_start: what `make run` calls after migrating. Fills an empty database with the
demo partnership, then prints where to go and how to sign in."""

from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from resettle.accounts.models import User
from resettle.demo.generator import demo_exists, generate
from resettle.demo.logins import DEMO_URL, demo_users, sign_in_block
from resettle.demo.management.commands.generate_demo import DEFAULT_PEOPLE, DEFAULT_SEED
from resettle.demo.password import demo_password, describe_source


class Command(BaseCommand):
    help = "Create the demo partnership if the database has no users, and print the sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--address",
            default=DEMO_URL,
            help="Where the server will listen, to print (make run passes its HOST and PORT).",
        )

    def handle(self, *args: object, **options: object) -> None:
        url = str(options["address"])
        if not User.objects.exists() and demo_exists():
            self.stdout.write(
                "The demo organisations are here but their users have been deleted. Run "
                "`manage.py generate_demo --reset` to create the demo again."
            )
            return
        if not User.objects.exists():
            self.stdout.write(
                f"This database has no users yet, so Resettle is adding its fictional demo "
                f"partnership ({DEFAULT_PEOPLE} people). This takes a few seconds, once."
            )
            password = demo_password(create=True)
            assert password is not None
            generate(
                DEFAULT_PEOPLE,
                DEFAULT_SEED,
                date.today(),
                password=password,
                progress=lambda message: self.stdout.write(f"  {message}…"),
            )
            self.stdout.write(self.style.SUCCESS("Demo partnership created."))
        elif not demo_users():
            self.stdout.write(
                f"Resettle is ready at {url}\n"
                "This database already has users and none of them is a demo account, so no demo "
                "data was added. Sign in with your own account."
            )
            return
        self.stdout.write(sign_in_block(demo_password(create=False), describe_source(), url))
