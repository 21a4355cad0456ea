"""Recording the audit trail. Every event goes through `record_events`, which chains it.

The trail is split over AUDIT_CHAINS independent chains (16 by default), so that audited reads
do not all queue behind one lock. Each call appends its events to one chain, under that chain's
own lock: on PostgreSQL a transaction-scoped advisory lock keyed by the chain, taken before the
chain's last hash is read, so two writers can never both chain onto the same event (which would
fork it); on SQLite the write lock every transaction takes at BEGIN (the settings use
`transaction_mode IMMEDIATE`), which serialises all writers whatever the chain. Either way the
lock is held until the surrounding transaction commits, so record events late in a service.

Picking a chain costs one query, the same as the single lock did: each connection keeps the
chain it last used and tries that one first without waiting (`pg_try_advisory_xact_lock`),
then the others in turn, and waits only when every chain is busy. Persistent connections (one
per worker thread or process) so settle on chains of their own and rarely meet. A transaction
never holds two chain locks: its first call remembers the chain, and its later calls try that
one first, which they already hold; so writers cannot deadlock on each other's chains.

Why partitions rather than inserting unchained and sealing later: a sealed-later event is not
protected until the sealing step runs, and the step is one more thing that must keep running;
here every event is chained, keyed and verifiable the moment it commits, at the same cost per
write as before. `verify_audit` walks every chain, so every event is checked.

Positions are given here, as the chain's last seq plus one, rather than by a database
sequence: a sequence value is used up even when its transaction rolls back, which would leave
gaps that look exactly like a deleted event. Under the chain's lock, last-plus-one is gap-free.
"""

import ipaddress
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from resettle.accounts.models import Membership, User
from resettle.audit.chain import GENESIS_HASH, compute_hash
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.tasks import write_checkpoint
from resettle.core.prepared import Param, Prepared
from resettle.people.models import Person

# The first half of each chain lock's key (the chain number is the second half). Any 32-bit
# constant will do, so long as nothing else in the database uses it: "rsau" in ASCII.
CHAIN_LOCK_CLASS = int.from_bytes(b"rsau", "big")
USER_AGENT_LENGTH = AuditEvent._meta.get_field("user_agent").max_length
ROUTE_LENGTH = AuditEvent._meta.get_field("route").max_length
USERNAME_LENGTH = AuditEvent._meta.get_field("username").max_length


@dataclass(frozen=True)
class EventData:
    """What one event says, before it is chained."""

    action: str
    object_type: str = ""
    object_id: str = ""
    person_id: UUID | None = None
    category: str = ""
    reason: str = ""
    changes: dict[str, list[str | None]] | None = None


def _clean_text(value: str, limit: int | None = None) -> str:
    # PostgreSQL refuses NUL in text, and a client controls its user agent and the path.
    text = str(value or "").replace("\x00", "")
    return text[:limit] if limit else text


def _client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR", "")
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The last address is the one our own proxy saw; those before it the client can forge.
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _request_fields(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip": None, "user_agent": "", "route": ""}
    return {
        "ip": _client_ip(request),
        "user_agent": _clean_text(request.META.get("HTTP_USER_AGENT", ""), USER_AGENT_LENGTH),
        "route": _clean_text(
            " ".join(part for part in (request.method, request.path) if part), ROUTE_LENGTH
        ),
    }


def _who_fields(actor: Membership | None, user: User | None, username: str) -> dict[str, Any]:
    user = user if user is not None else (actor.user if actor is not None else None)
    fields: dict[str, Any] = {
        "user_id": user.pk if user is not None else None,
        "username": _clean_text(user.get_username() if user else username, USERNAME_LENGTH),
        "user_name": _clean_text(user.get_full_name(), 300) if user else "",
        "organisation_id": None,
        "organisation_name": "",
        "role": "",
    }
    if actor is not None:
        fields |= {
            "organisation_id": actor.organisation_id,
            "organisation_name": actor.organisation.name,
            "role": actor.role,
        }
    return fields


def _take_chain() -> int:
    """Lock a chain for the rest of the transaction and return its number."""
    chains = settings.AUDIT_CHAINS
    preferred = getattr(connection, "audit_chain", None)
    if preferred is None or preferred >= chains:
        preferred = random.randrange(chains)  # spreads connections over chains
    chain = preferred
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for offset in range(chains):
                chain = (preferred + offset) % chains
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [CHAIN_LOCK_CLASS, chain]
                )
                if cursor.fetchone()[0]:
                    break
            else:
                chain = preferred
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CHAIN_LOCK_CLASS, chain])
    # SQLite: the IMMEDIATE transaction this runs in already holds the database's write lock.
    # Kept on the connection for the next event in this transaction (read back above).
    setattr(connection, "audit_chain", chain)  # noqa: B010 (an attribute Django does not declare)
    return chain


# Every column but the id, in the model's order.
COLUMNS = tuple(f for f in AuditEvent._meta.concrete_fields if not f.primary_key)
# The columns whose values need the database's own form (UUIDs, times, addresses, JSON).
CONVERTED = frozenset(
    f.attname
    for f in COLUMNS
    if f.get_internal_type() in {"UUIDField", "DateTimeField", "GenericIPAddressField", "JSONField"}
)


# The chain's last event, read by every audited request: prepared once.
LAST_IN_CHAIN = Prepared(
    lambda: (
        AuditEvent.objects.filter(chain=Param("chain", AuditEvent._meta.get_field("chain")))
        .order_by("-seq")
        .values_list("seq", "hash")[:1]
    )
)

# What an event says, as given by the caller (each distinct value is validated once a call), and
# its place in the chain, worked out here.
GIVEN = ("action", "object_type", "object_id", "person_id", "category", "reason")
PLACE = ("chain", "seq", "prev_hash")


def _insert(events: list[AuditEvent]) -> None:
    """Insert the events and give them their ids, in as few statements as the database allows.
    What `bulk_create` does, without its preparing every value of every row through the field
    machinery (a third of an audited list page's Python): the events share who, when and where,
    so those are converted once, and of each event's own values only the person and the
    changes need converting."""
    first = events[0].__dict__
    shared = {
        f.attname: f.get_db_prep_save(first[f.attname], connection)
        for f in COLUMNS
        if f.attname in CONVERTED and f.attname not in {"person_id", "changes"}
    }
    person, changes = AuditEvent._meta.get_field("person_id"), AuditEvent._meta.get_field("changes")
    rows = []
    for event in events:
        values = event.__dict__
        row = []
        for f in COLUMNS:
            name = f.attname
            if name in shared:
                row.append(shared[name])
            elif name == "person_id":
                row.append(person.get_db_prep_save(values[name], connection))
            elif name == "changes":
                row.append(changes.get_db_prep_save(values[name], connection))
            else:
                row.append(values[name])
        rows.append(row)
    size = min(connection.ops.bulk_batch_size(COLUMNS, events), 1000)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(_insert_sql(len(batch)), [value for row in batch for value in row])
            ids.extend(pk for (pk,) in cursor.fetchall())
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = connection.alias


def _insert_sql(rows: int) -> str:
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(f.column) for f in COLUMNS)}) VALUES {', '.join([row] * rows)} "
        f"RETURNING {quote(AuditEvent._meta.pk.column)}"
    )


@transaction.atomic
def record_events(
    *,
    actor: Membership | None,
    events: Iterable[EventData],
    user: User | None = None,
    username: str = "",
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Append events to one chain in one insert. `username` names who tried when there is no
    user (a failed sign-in)."""
    events = list(events)
    if not events:
        return []
    common = _who_fields(actor, user, username) | _request_fields(request)
    chain = _take_chain()
    # Timed once the lock is held, so times never run backwards along a chain.
    common["at"] = timezone.now()
    last = LAST_IN_CHAIN(chain=chain)
    last_seq, prev_hash = last[0] if last else (0, GENESIS_HASH)
    recorded: list[AuditEvent] = []
    checked: set[tuple[str, Any]] = set()
    for offset, data in enumerate(events, start=1):
        event = AuditEvent(
            chain=chain,
            seq=last_seq + offset,
            action=data.action,
            object_type=data.object_type,
            object_id=_clean_text(data.object_id),
            person_id=data.person_id,
            category=data.category,
            reason=_clean_text(data.reason),
            changes=data.changes,
            prev_hash=prev_hash,
            **common,
        )
        # The place's uniqueness is what the lock guarantees; asking the database again is waste.
        # Who, when and from where are the same for every event, and the place is worked out
        # here: checked on the first only. Of what each event says, each value once.
        given = {(name, getattr(event, name)) for name in GIVEN}
        event.full_clean(
            exclude=["hash", *common, *PLACE, *(name for name, _ in given & checked)]
            if recorded
            else ["hash"],
            validate_unique=False,
            validate_constraints=False,
        )
        checked |= given
        event.hash = compute_hash(prev_hash, event.__dict__)
        prev_hash = event.hash
        recorded.append(event)
    _insert(recorded)
    every = settings.AUDIT_CHECKPOINT_EVERY
    if every and (last_seq + len(recorded)) // every > last_seq // every:
        transaction.on_commit(write_checkpoint.enqueue)
    return recorded


def record_event(
    *,
    actor: Membership | None,
    user: User | None = None,
    username: str = "",
    action: str,
    object_type: str = "",
    object_id: Any = "",
    person: Person | None = None,
    category: str = "",
    reason: str = "",
    changes: Mapping[str, list[str | None]] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record one thing `actor` (or `user`, when acting for no organisation) did."""
    data = EventData(
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        person_id=person.pk if person is not None else None,
        category=str(category or ""),
        reason=reason,
        changes=dict(changes) if changes is not None else None,
    )
    return record_events(actor=actor, user=user, username=username, events=[data], request=request)[
        0
    ]


def record_read(
    *,
    actor: Membership | None,
    person: Person,
    categories: Iterable[str],
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Record that `actor` read these categories of `person`'s record: one event per category,
    all in one insert, so a page costs the same few queries however many it shows."""
    return record_reads(
        actor=actor, reads=[(person.pk, category) for category in categories], request=request
    )


def record_reads(
    *,
    actor: Membership | None,
    reads: Iterable[tuple[Any, str]],
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Record reads of (person id, category) pairs, each once, in one insert: a list of many
    people's records costs the same few queries however many it shows."""
    unique = dict.fromkeys((person_id, str(category)) for person_id, category in reads)
    return record_events(
        actor=actor,
        request=request,
        events=[
            EventData(
                action=AuditAction.READ,
                object_type="person",
                object_id=str(person_id),
                person_id=person_id,
                category=category,
            )
            for person_id, category in unique
        ],
    )


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[str | None]]:
    """{field: [old, new]} for each field whose value changed, values as text (None stays None).
    A field present on one side only counts as changed from or to None."""
    changes = {}
    for name in sorted(set(old) | set(new)):
        before, after = _as_text(old.get(name)), _as_text(new.get(name))
        if before != after:
            changes[name] = [before, after]
    return changes
