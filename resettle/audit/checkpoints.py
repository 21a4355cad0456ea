"""Signed checkpoints of each chain's latest hash, kept outside the database.

The keyed chains (resettle/audit/chain.py) stop anyone without the key from changing, forging
or renumbering events unseen, but not from cutting events off the end of a chain: what is left
is still a valid chain. A checkpoint says "chain C had reached #S with hash H at time T", signed
with the audit key, and lives where the database's users cannot reach: `verify_audit` then finds
a chain that ends before its checkpoint, or whose event at #S is not the one checkpointed.

The store is a file of JSON lines (AUDIT_CHECKPOINT_PATH), only ever appended to, one line per
chain per checkpoint: {"at", "chain", "hash", "seq", "signature"}. Put it on another machine's
disk, an append-only mount or a file that is shipped off the host, not beside the database.

Checkpoints are written
  - every AUDIT_CHECKPOINT_EVERY events of a chain, by the task `write_checkpoint`, which
    `record_events` enqueues when a chain passes a multiple of it (the task worker runs it);
  - by `manage.py audit_checkpoint`, for a timer (cron, systemd) whatever the traffic;
  - by `manage.py verify_audit` after the trail passes.
"""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from resettle.audit.chain import same, sign
from resettle.audit.models import AuditEvent


@dataclass(frozen=True)
class Checkpoint:
    chain: int
    seq: int
    hash: str
    at: str

    def message(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chains() -> list[int]:
    """Every chain that has events, in order, each found through the (chain, seq) index rather
    than by reading the table."""
    found: list[int] = []
    events = AuditEvent.objects.order_by("chain", "seq").values_list("chain", flat=True)
    chain = events.first()
    while chain is not None:
        found.append(chain)
        chain = events.filter(chain__gt=chain).first()
    return found


def heads() -> list[tuple[int, int, str]]:
    """(chain, seq, hash) of the last event of every chain."""
    result = []
    for chain in chains():
        last = (
            AuditEvent.objects.filter(chain=chain)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        assert last is not None  # chains() lists only chains with events
        seq, hash_ = last
        result.append((chain, seq, hash_))
    return result


def write(verified: list[tuple[int, int, str]] | None = None) -> list[Checkpoint]:
    """Append a signed checkpoint of these (chain, seq, hash), by default every chain's latest,
    in one write."""
    path = Path(settings.AUDIT_CHECKPOINT_PATH)
    at = timezone.now().isoformat()
    chosen = heads() if verified is None else verified
    written = [Checkpoint(chain, seq, hash_, at) for chain, seq, hash_ in chosen]
    if not written:
        return []
    lines = "".join(
        json.dumps(asdict(c) | {"signature": sign(c.message())}, sort_keys=True) + "\n"
        for c in written
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write to a file opened for appending: lines from writers in other processes never
    # interleave, and nothing earlier in the file is touched.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, lines.encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return written


class CheckpointError(Exception):
    """A line of the checkpoint file that is not a checkpoint signed with this key."""


def latest() -> dict[int, Checkpoint]:
    """The checkpoint with the highest seq of each chain, every line's signature checked.

    Raises CheckpointError at the first line that is unreadable or not signed with the key."""
    path = Path(settings.AUDIT_CHECKPOINT_PATH)
    found: dict[int, Checkpoint] = {}
    if not path.exists():
        return found
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                fields = json.loads(line)
                signature = fields.pop("signature")
                checkpoint = Checkpoint(**fields)
                # Types as written: a JSON line whose values were swapped for others of another
                # type must not compare equal below.
                valid = (
                    isinstance(checkpoint.chain, int)
                    and isinstance(checkpoint.seq, int)
                    and isinstance(checkpoint.hash, str)
                    and isinstance(signature, str)
                )
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise CheckpointError(f"Checkpoint line {number} of {path} is unreadable") from exc
            if not valid or not same(sign(checkpoint.message()), signature):
                raise CheckpointError(
                    f"Checkpoint line {number} of {path} is not signed with this audit key "
                    "(a forged line, or RESETTLE_AUDIT_KEY is not the key it was written with)"
                )
            if checkpoint.chain not in found or checkpoint.seq > found[checkpoint.chain].seq:
                found[checkpoint.chain] = checkpoint
    return found
