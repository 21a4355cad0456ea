"""The migration that keyed the hash chains (0003_keyed_chains) re-signs the unkeyed trail it
finds only if that trail is intact. A trail already broken is refused, saying where, and left as
it was: re-signing it under the key would make the tampering look like a sound trail."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction

from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.tests.conftest import triggers_off
from resettle.audit.tests.test_chain import verify

pytestmark = pytest.mark.django_db

keyed_chains = importlib.import_module("resettle.audit.migrations.0003_keyed_chains")

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _unkeyed_trail(count: int = 5) -> list[AuditEvent]:
    """A trail as it was before the migration: ids 1, 2, 3..., each event's unkeyed SHA-256
    over its id and fields, chained onto the one before. (Its place, chain 0 at its id, is what
    the migration gives it; the unkeyed hash does not cover it.)"""
    events, prev = [], keyed_chains.GENESIS_HASH
    for n in range(1, count + 1):
        event = AuditEvent(
            id=n,
            chain=0,
            seq=n,
            at=START + timedelta(minutes=n),
            user_id=7,
            username="caseworker",
            action=AuditAction.READ,
            object_type="person",
            object_id=str(n),
            ip="2001:db8::1",
            prev_hash=prev,
        )
        event.hash = prev = keyed_chains._legacy_hash(event)
        events.append(event)
    return events


def _store(events: list[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(events)


def _migrate() -> None:
    """The migration's re-chaining, in one transaction as the migration runs, with the
    append-only triggers off as the migration has them (so only its own check can refuse)."""
    with triggers_off(), transaction.atomic():
        keyed_chains.rechain(apps, connection.schema_editor())


def _trail() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash"))


def test_an_intact_unkeyed_trail_is_re_signed_and_verifies_under_the_key():
    _store(_unkeyed_trail())

    _migrate()

    assert verify()[0] == 0
    assert list(AuditEvent.objects.values_list("chain", "seq")) == [(0, n) for n in range(1, 6)]


def _edited(events: list[AuditEvent]) -> list[AuditEvent]:
    events[2].username = "someone_else"
    return events


def _deleted(events: list[AuditEvent]) -> list[AuditEvent]:
    return [event for event in events if event.id != 3]


def _relinked(events: list[AuditEvent]) -> list[AuditEvent]:
    events[2].prev_hash = "f" * 64
    return events


@pytest.mark.parametrize(
    ("breaking", "problem"),
    [
        (_edited, "event #3 has been changed since it was recorded"),
        (_deleted, "event #3 is missing"),
        (_relinked, "event #3 does not chain onto the one before it"),
    ],
    ids=["edited", "deleted", "relinked"],
)
def test_a_broken_unkeyed_trail_is_refused_where_it_breaks_and_left_as_it_was(breaking, problem):
    _store(breaking(_unkeyed_trail()))
    before = _trail()

    with pytest.raises(RuntimeError) as refused:
        _migrate()

    assert str(refused.value).startswith(
        f"The audit trail is broken: {problem}. Nothing was migrated."
    )

    assert _trail() == before


def test_a_break_beyond_the_first_chunk_leaves_the_chunks_before_it_unsigned(monkeypatch):
    monkeypatch.setattr(keyed_chains, "CHUNK", 2)
    _store(_deleted(_unkeyed_trail()))
    before = _trail()

    with pytest.raises(RuntimeError, match="event #3 is missing"):
        _migrate()

    assert _trail() == before
