"""manage.py check_demo: after generate_demo, say whether the demo data reads true."""

from django.core.management.base import BaseCommand, CommandError

from resettle.demo.checks import CHECKS


class Command(BaseCommand):
    help = (
        "Check that the demo data reads true (women in women's prisons, no release on a bank "
        "holiday, notes that fit a child's age...). Prints each problem; exits non-zero if any."
    )

    def handle(self, *args: object, **options: object) -> None:
        total = 0
        for name, check in CHECKS.items():
            problems = check()
            total += len(problems)
            heading = name.replace("_", " ").capitalize()
            self.stdout.write(f"{heading}: {_count(len(problems))}")
            for problem in problems:
                self.stdout.write(f"  - {problem}")
        if total:
            raise CommandError(f"The demo does not read true: {_count(total)}.")
        self.stdout.write(self.style.SUCCESS("The demo reads true."))


def _count(problems: int) -> str:
    if problems == 0:
        return "no problems"
    return f"{problems} problem" if problems == 1 else f"{problems} problems"
