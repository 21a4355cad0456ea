import io
from datetime import UTC, datetime
from itertools import pairwise
from uuid import UUID

import pytest
from django.core.management import call_command

from resettle.audit.chain import GENESIS_HASH, canonical_json, compute_hash, event_hash
from resettle.audit.management.commands.verify_audit import find_break
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event
from resettle.audit.tests.conftest import tamper

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `manage.py verify_audit`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_first_event_chains_onto_sixty_four_zeros(cast):
    event = record_event(actor=cast.caseworker, action=AuditAction.SIGN_IN)

    assert event.id == 1
    assert event.prev_hash == GENESIS_HASH == "0" * 64
    assert len(event.hash) == 64


def test_each_event_chains_onto_the_one_before(some_events):
    stored = list(AuditEvent.objects.order_by("id"))

    assert [e.id for e in stored] == [1, 2, 3, 4, 5]
    for before, after in pairwise(stored):
        assert after.prev_hash == before.hash
    # What was hashed before saving is what the database gives back.
    assert all(event_hash(e) == e.hash for e in stored)


def test_the_hash_covers_every_field_and_the_position():
    values = {
        "id": 7,
        "at": datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        "organisation_id": UUID("12345678-1234-5678-1234-567812345678"),
        "action": "read",
        "ip": "::1",
        "changes": {"b": ["1", "2"], "a": [None, "x"]},
    }
    canonical = canonical_json(values)

    assert '"at":"2025-01-02T03:04:05.000006Z"' in canonical
    assert '"organisation_id":"12345678-1234-5678-1234-567812345678"' in canonical
    assert '"ip":"00000000000000000000000000000001"' in canonical
    assert '"changes":{"a":[null,"x"],"b":["1","2"]}' in canonical
    base = compute_hash(GENESIS_HASH, values)
    assert compute_hash(GENESIS_HASH, values | {"id": 8}) != base
    assert compute_hash(GENESIS_HASH, values | {"reason": "x"}) != base
    assert compute_hash("1" * 64, values) != base


def test_verify_reports_an_intact_trail(some_events):
    status, out, err = verify()

    assert status == 0
    assert "Audit trail intact: 5 events" in out
    assert f"hash {some_events[-1].hash}" in out
    assert err == ""


def test_verify_reports_an_empty_trail_as_intact(db):
    status, out, _ = verify()

    assert status == 0
    assert out.strip() == "Audit trail intact: 0 events"


def test_verify_finds_an_edited_event(some_events):
    tamper("UPDATE audit_auditevent SET username = 'someone_else' WHERE id = 3")

    status, out, err = verify()

    assert status == 1
    assert err.strip() == "Broken at event #3: hash mismatch"
    assert "intact" not in out


def test_verify_finds_an_edit_whose_hash_was_recomputed_at_the_next_event(some_events):
    edited = AuditEvent.objects.get(pk=3)
    edited.username = "someone_else"
    new_hash = event_hash(edited)
    tamper(
        "UPDATE audit_auditevent SET username = %s, hash = %s WHERE id = 3",
        ["someone_else", new_hash],
    )

    status, _, err = verify()

    assert status == 1
    assert err.strip() == "Broken at event #4: prev_hash does not match previous"


def test_verify_finds_a_deleted_event(some_events):
    tamper("DELETE FROM audit_auditevent WHERE id = 2")

    status, _, err = verify()

    assert status == 1
    assert err.strip() == "Broken at event #3: gap in ids (#2 missing)"


def test_verify_finds_the_first_event_deleted(some_events):
    tamper("DELETE FROM audit_auditevent WHERE id IN (1, 2)")

    _, _, err = verify()

    assert err.strip() == "Broken at event #3: gap in ids (#1 to #2 missing)"


def test_verify_finds_two_events_swapped(some_events):
    # Swap the contents of events 2 and 3, keeping the ids in place.
    tamper("UPDATE audit_auditevent SET id = 100 WHERE id = 2")
    tamper("UPDATE audit_auditevent SET id = 2 WHERE id = 3")
    tamper("UPDATE audit_auditevent SET id = 3 WHERE id = 100")

    status, _, err = verify()

    assert status == 1
    assert err.strip() == "Broken at event #2: prev_hash does not match previous"


def test_verify_reads_the_trail_in_chunks(some_events, django_assert_num_queries):
    # Five events in chunks of two: three chunks and one empty read that ends the walk.
    with django_assert_num_queries(4):
        checked, broken, _ = find_break(chunk_size=2)

    assert (checked, broken) == (5, None)
