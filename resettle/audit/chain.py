"""The keyed hash chains: how an event's hash is computed from the event and the previous hash.

hash = HMAC-SHA256(key, prev_hash + canonical JSON of every other field), as lowercase hex. The
key is the setting AUDIT_KEY (environment variable RESETTLE_AUDIT_KEY), which is never stored
in the database: someone who can write the database but does not hold the key can change an
event, but cannot compute the hash it would need, so cannot re-chain after an edit, renumber
after a deletion or append a forged event without `verify_audit` seeing it.

An event's place is its chain and its sequence number in that chain (1, 2, 3... with no gaps),
and both are hashed; the row's `id` is only a storage key given by the database. The first
event of every chain has prev_hash GENESIS_HASH.

The canonical JSON has sorted keys, no spaces and only ASCII, and every value in a form that
survives a round trip through either database and any Python version unchanged:
  - `at` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`;
  - UUIDs as lowercase hyphenated strings;
  - `ip` as the hex of the address's packed bytes (text forms of IPv6 differ between Python
    versions and databases);
  - missing values as null.
Anyone holding the key can recompute it from the table with this description alone.

Checkpoints (resettle/audit/checkpoints.py) are signed with the same key, over the canonical
JSON of their own fields.
"""

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.conf import settings

GENESIS_HASH = "0" * 64

# Every field the hash covers, besides prev_hash (which is prefixed) and hash itself.
HASHED_FIELDS = (
    "chain",
    "seq",
    "at",
    "user_id",
    "username",
    "user_name",
    "organisation_id",
    "organisation_name",
    "role",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "category",
    "reason",
    "ip",
    "user_agent",
    "route",
    "changes",
)


def _canonical_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, UUID):
        return str(value)
    if name == "ip":
        return ipaddress.ip_address(value).packed.hex()
    return value


def canonical_json(values: dict[str, Any], fields: tuple[str, ...] = HASHED_FIELDS) -> str:
    payload = {name: _canonical_value(name, values.get(name)) for name in fields}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sign(message: str, key: str | None = None) -> str:
    """HMAC-SHA256 of `message` under the audit key, as lowercase hex."""
    key = settings.AUDIT_KEY if key is None else key
    return hmac.new(key.encode(), message.encode("ascii"), hashlib.sha256).hexdigest()


def compute_hash(prev_hash: str, values: dict[str, Any], key: str | None = None) -> str:
    return sign(prev_hash + canonical_json(values), key)


def event_hash(event: Any, key: str | None = None) -> str:
    """The hash an event should have, given its own prev_hash."""
    return compute_hash(
        event.prev_hash, {name: getattr(event, name) for name in HASHED_FIELDS}, key
    )


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
