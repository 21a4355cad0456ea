"""Append a signed checkpoint of every audit chain's latest hash to the checkpoint file.

Run it from a timer (cron, a systemd timer) every few minutes: events cut from the end of a
chain are found back to the last checkpoint (resettle/audit/checkpoints.py).
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from resettle.audit import checkpoints


class Command(BaseCommand):
    help = "Append a signed checkpoint of each audit chain's latest hash to the checkpoint file."

    def handle(self, *args: Any, **options: Any) -> None:
        written = checkpoints.write()
        self.stdout.write(
            f"Checkpoint of {len(written)} chains written to {settings.AUDIT_CHECKPOINT_PATH}"
        )
