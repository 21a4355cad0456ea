"""Walk every audit chain in order and report the first broken link, if any.

Exit status 0 when intact, 1 at the first thing that is wrong:
  - a gap or a repeated position in a chain (an event deleted, or positions renumbered);
  - an event whose prev_hash is not its predecessor's hash (events swapped or re-chained);
  - an event whose hash is not the HMAC of its contents under the audit key (an edit, a forged
    event, a renumbering, or the wrong RESETTLE_AUDIT_KEY);
  - a chain that ends before its latest checkpoint, or whose event at the checkpoint's position
    is not the one checkpointed (events cut from the end, or a chain rebuilt);
  - a checkpoint line not signed with the key;
  - events in no chain position that was walked (a repeated position).
After a pass it appends a new checkpoint (unless --no-checkpoint). Reads in chunks, so memory
stays the same however long the trail.
"""

import sys
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from resettle.audit import checkpoints
from resettle.audit.chain import GENESIS_HASH, event_hash, same
from resettle.audit.models import AuditEvent

CHUNK_SIZE = 2000


@dataclass
class Verification:
    checked: int = 0
    broken: str | None = None
    # chain: (last seq, last hash)
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)


def _walk_chain(
    chain: int, pinned: checkpoints.Checkpoint | None, chunk_size: int, result: Verification
) -> None:
    expected, prev_hash = 1, GENESIS_HASH
    while True:
        chunk = list(
            AuditEvent.objects.filter(chain=chain, seq__gte=expected).order_by("seq")[:chunk_size]
        )
        for event in chunk:
            where = f"Broken in chain {chain} at #{event.seq} (event id {event.id})"
            if event.seq < expected:
                result.broken = f"{where}: a second event at the same position"
                return
            if event.seq != expected:
                missing = (
                    f"#{expected}"
                    if event.seq == expected + 1
                    else f"#{expected} to #{event.seq - 1}"
                )
                result.broken = f"{where}: gap in positions ({missing} missing)"
                return
            if event.prev_hash != prev_hash:
                result.broken = f"{where}: prev_hash does not match previous"
                return
            if not same(event_hash(event), event.hash):
                result.broken = f"{where}: hash mismatch"
                return
            if pinned and event.seq == pinned.seq and not same(event.hash, pinned.hash):
                result.broken = f"{where}: not the event in the checkpoint of {pinned.at}"
                return
            expected, prev_hash = event.seq + 1, event.hash
            result.checked += 1
        if len(chunk) < chunk_size:
            break
    last = expected - 1
    if pinned and last < pinned.seq:
        result.broken = (
            f"Broken in chain {chain}: it ends at #{last} but the checkpoint of {pinned.at} "
            f"has #{pinned.seq} (events cut from its end)"
        )
        return
    result.heads[chain] = (last, prev_hash)


def find_break(chunk_size: int = CHUNK_SIZE) -> Verification:
    """Check every chain against itself, the key and the latest checkpoints."""
    result = Verification()
    try:
        pinned = checkpoints.latest()
    except checkpoints.CheckpointError as exc:
        result.broken = str(exc)
        return result
    for chain in checkpoints.chains():
        _walk_chain(chain, pinned.pop(chain, None), chunk_size, result)
        if result.broken:
            return result
    for chain, checkpoint in sorted(pinned.items()):
        result.broken = (
            f"Broken in chain {chain}: it has no events but the checkpoint of {checkpoint.at} "
            f"has #{checkpoint.seq} (events cut from its end)"
        )
        return result
    stored = AuditEvent.objects.count()
    if stored != result.checked:
        result.broken = (
            f"Broken: {stored - result.checked} events hold a position another event holds "
            "(a repeated position)"
        )
    return result


class Command(BaseCommand):
    help = "Check the audit trail's keyed hash chains and report the first broken link."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="Do not append a checkpoint of the chains' latest hashes after a pass.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = find_break()
        if result.broken:
            self.stderr.write(result.broken)
            sys.exit(1)
        self.stdout.write(
            f"Audit trail intact: {result.checked} events in {len(result.heads)} chains"
        )
        for chain, (seq, hash_) in sorted(result.heads.items()):
            self.stdout.write(f"Chain {chain}: last #{seq}, hash {hash_}")
        if result.heads and not options["no_checkpoint"]:
            checkpoints.write(
                [(chain, seq, hash_) for chain, (seq, hash_) in sorted(result.heads.items())]
            )
            self.stdout.write(f"Checkpoint written to {settings.AUDIT_CHECKPOINT_PATH}")
