"""Django's `flush`, able to empty the audit table too, outside production only.

Django's own test cases flush the database between tests that commit; without this the audit
table's append-only triggers would refuse. In production this runs Django's flush unchanged, and
the triggers refuse it: nobody wipes the audit trail with a management command.
"""

from typing import Any

from django.conf import settings
from django.core.management.commands import flush

from resettle.audit.maintenance import allow_flush


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            return super().handle(**options)
        with allow_flush(options["database"]):
            return super().handle(**options)
