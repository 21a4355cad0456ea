"""Walk the audit trail in order and report the first broken link, if any.

Exit status 0 when intact, 1 at the first event that is wrong. Reads in chunks by id, so memory
stays the same however long the trail. It cannot see events removed from the very end: keep the
last hash it prints somewhere else (a ticket, a signed e-mail) and compare it next time.
"""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from resettle.audit.chain import GENESIS_HASH, event_hash
from resettle.audit.models import AuditEvent

CHUNK_SIZE = 2000


def find_break(chunk_size: int = CHUNK_SIZE) -> tuple[int, str | None, str]:
    """(events checked, description of the first break or None, last hash)."""
    expected_id, prev_hash, checked = 1, GENESIS_HASH, 0
    while True:
        chunk = list(AuditEvent.objects.filter(id__gte=expected_id).order_by("id")[:chunk_size])
        if not chunk:
            return checked, None, prev_hash
        for event in chunk:
            if event.id != expected_id:
                missing = (
                    f"#{expected_id}"
                    if event.id == expected_id + 1
                    else f"#{expected_id} to #{event.id - 1}"
                )
                return checked, f"Broken at event #{event.id}: gap in ids ({missing} missing)", ""
            if event.prev_hash != prev_hash:
                return (
                    checked,
                    f"Broken at event #{event.id}: prev_hash does not match previous",
                    "",
                )
            if event_hash(event) != event.hash:
                return checked, f"Broken at event #{event.id}: hash mismatch", ""
            expected_id, prev_hash, checked = event.id + 1, event.hash, checked + 1


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken, last_hash = find_break()
        if broken:
            self.stderr.write(broken)
            sys.exit(1)
        self.stdout.write(f"Audit trail intact: {checked} events")
        if checked:
            self.stdout.write(f"Last event #{checked}, hash {last_hash}")
