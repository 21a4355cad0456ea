"""The hash chain: how an event's hash is computed from the event and the previous hash.

hash = sha256(prev_hash + canonical JSON of every other field), as lowercase hex. The canonical
JSON has sorted keys, no spaces and only ASCII, and every value in a form that survives a round
trip through either database and any Python version unchanged:
  - `at` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`;
  - UUIDs as lowercase hyphenated strings;
  - `ip` as the hex of the address's packed bytes (text forms of IPv6 differ between Python
    versions and databases);
  - missing values as null.
Anyone can recompute it from the table with this description alone.
"""

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64

# Every field the hash covers, besides prev_hash (which is prefixed) and hash itself.
HASHED_FIELDS = (
    "id",
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


def canonical_json(values: dict[str, Any]) -> str:
    payload = {name: _canonical_value(name, values.get(name)) for name in HASHED_FIELDS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def compute_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(values)).encode("ascii")).hexdigest()


def event_hash(event: Any) -> str:
    """The hash an event should have, given its own prev_hash."""
    return compute_hash(event.prev_hash, {name: getattr(event, name) for name in HASHED_FIELDS})
