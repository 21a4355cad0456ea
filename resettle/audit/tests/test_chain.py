import hashlib
import io
import json
from datetime import UTC, datetime
from itertools import pairwise
from uuid import UUID

import pytest
from django.core.management import call_command
from django.db import connection

from resettle.audit.chain import GENESIS_HASH, canonical_json, compute_hash, event_hash
from resettle.audit.management.commands.verify_audit import find_break
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event
from resettle.audit.tests.conftest import tamper

pytestmark = pytest.mark.django_db

WRONG_KEY = "a-key-someone-without-the-real-one-might-try"


def verify() -> tuple[int | str | None, str, str]:
    """(exit status, stdout, stderr) of `manage.py verify_audit`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def at(events: list[AuditEvent], seq: int) -> str:
    return f"Broken in chain 0 at #{seq} (event id {events[seq - 1].id})"


def rechain_from(seq: int, key: str = WRONG_KEY) -> None:
    """Recompute prev_hash and hash from `seq` to the end of chain 0 with `key`, as someone
    covering their tracks would."""
    prev = AuditEvent.objects.get(chain=0, seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(chain=0, seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        prev = event_hash(event, key)
        tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, prev, event.id],
        )


def test_the_first_event_chains_onto_sixty_four_zeros(cast, one_chain):
    event = record_event(actor=cast.caseworker, action=AuditAction.SIGN_IN)

    assert (event.chain, event.seq) == (0, 1)
    assert event.prev_hash == GENESIS_HASH == "0" * 64
    assert len(event.hash) == 64


def test_each_event_chains_onto_the_one_before(some_events):
    stored = list(AuditEvent.objects.order_by("seq"))

    assert [(e.chain, e.seq) for e in stored] == [(0, n) for n in range(1, 6)]
    for before, after in pairwise(stored):
        assert after.prev_hash == before.hash
    # What was hashed before saving is what the database gives back.
    assert all(event_hash(e) == e.hash for e in stored)


def test_the_hash_is_keyed_and_covers_every_field_and_the_position():
    values = {
        "chain": 2,
        "seq": 7,
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
    assert compute_hash(GENESIS_HASH, values | {"seq": 8}) != base
    assert compute_hash(GENESIS_HASH, values | {"chain": 3}) != base
    assert compute_hash(GENESIS_HASH, values | {"reason": "x"}) != base
    assert compute_hash("1" * 64, values) != base
    assert compute_hash(GENESIS_HASH, values, key=WRONG_KEY) != base
    unkeyed = hashlib.sha256((GENESIS_HASH + canonical).encode()).hexdigest()
    assert unkeyed != base


def test_verify_reports_an_intact_trail_and_checkpoints_it(some_events, checkpoint_file):
    status, out, err = verify()

    assert status == 0
    assert "Audit trail intact: 5 events in 1 chains" in out
    assert f"Chain 0: last #5, hash {some_events[-1].hash}" in out
    assert err == ""
    [line] = checkpoint_file.read_text().splitlines()
    assert json.loads(line) | {"at": "-", "signature": "-"} == {
        "at": "-",
        "chain": 0,
        "seq": 5,
        "hash": some_events[-1].hash,
        "signature": "-",
    }


def test_verify_reports_an_empty_trail_as_intact(db, checkpoint_file):
    status, out, _ = verify()

    assert status == 0
    assert out.strip() == "Audit trail intact: 0 events in 0 chains"
    assert not checkpoint_file.exists()


def test_verify_walks_every_chain(cast, settings):
    settings.AUDIT_CHAINS = 4
    for chain in (2, 0, 3, 2):
        connection.audit_chain = chain
        record_event(actor=cast.caseworker, action=AuditAction.READ)
    tamper("UPDATE audit_auditevent SET reason = 'x' WHERE chain = 3")

    status, _, err = verify()

    event = AuditEvent.objects.get(chain=3)
    assert status == 1
    assert err.strip() == f"Broken in chain 3 at #1 (event id {event.id}): hash mismatch"


def test_verify_passes_events_spread_over_chains(cast, settings):
    settings.AUDIT_CHAINS = 4
    for chain in (2, 0, 3, 2):
        connection.audit_chain = chain
        record_event(actor=cast.caseworker, action=AuditAction.READ)

    status, out, _ = verify()

    assert status == 0
    assert "Audit trail intact: 4 events in 3 chains" in out
    assert "Chain 2: last #2" in out


def test_verify_finds_an_edited_event(some_events):
    tamper("UPDATE audit_auditevent SET username = 'someone_else' WHERE seq = 3")

    status, out, err = verify()

    assert status == 1
    assert err.strip() == f"{at(some_events, 3)}: hash mismatch"
    assert "intact" not in out


def test_verify_finds_an_edit_whose_hash_was_recomputed_at_the_next_event(some_events):
    tamper("UPDATE audit_auditevent SET username = 'someone_else' WHERE seq = 3")
    edited = AuditEvent.objects.get(seq=3)
    tamper("UPDATE audit_auditevent SET hash = %s WHERE seq = 3", [event_hash(edited)])

    _, _, err = verify()

    assert err.strip() == f"{at(some_events, 4)}: prev_hash does not match previous"


def test_verify_finds_a_rewrite_rechained_without_the_key(some_events):
    tamper("UPDATE audit_auditevent SET username = 'someone_else' WHERE seq = 3")
    rechain_from(3)

    status, _, err = verify()

    assert status == 1
    assert err.strip() == f"{at(some_events, 3)}: hash mismatch"


def test_verify_finds_a_rewrite_rechained_with_the_old_unkeyed_hash(some_events):
    tamper("UPDATE audit_auditevent SET username = 'someone_else' WHERE seq = 3")
    prev = some_events[1].hash
    for event in AuditEvent.objects.filter(seq__gte=3).order_by("seq"):
        fields = canonical_json({name: getattr(event, name) for name in vars(event)})
        unkeyed = hashlib.sha256((prev + fields).encode()).hexdigest()
        tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, unkeyed, event.id],
        )
        prev = unkeyed

    _, _, err = verify()

    assert err.strip() == f"{at(some_events, 3)}: hash mismatch"


def test_verify_finds_a_deleted_event(some_events):
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")

    status, _, err = verify()

    assert status == 1
    assert err.strip() == f"{at(some_events, 3)}: gap in positions (#2 missing)"


def test_verify_finds_the_first_events_deleted(some_events):
    tamper("DELETE FROM audit_auditevent WHERE seq IN (1, 2)")

    _, _, err = verify()

    assert err.strip() == f"{at(some_events, 3)}: gap in positions (#1 to #2 missing)"


def test_verify_finds_renumbering_after_a_deletion(some_events):
    tamper("DELETE FROM audit_auditevent WHERE seq = 2")
    for seq in (3, 4, 5):
        tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [seq - 1, seq])
    rechain_from(2)

    status, _, err = verify()

    assert status == 1
    assert err.strip() == f"Broken in chain 0 at #2 (event id {some_events[2].id}): hash mismatch"


def test_verify_finds_an_appended_forged_event(some_events):
    forged = AuditEvent.objects.get(seq=5)
    forged.seq, forged.prev_hash, forged.reason = 6, forged.hash, "forged"
    tamper(
        "INSERT INTO audit_auditevent (chain, seq, at, username, user_name, organisation_name,"
        " role, action, object_type, object_id, category, reason, user_agent, route, prev_hash,"
        " hash) VALUES (0, 6, %s, '', '', '', '', 'read', '', '', '', 'forged', '', '', %s, %s)",
        [forged.at, forged.prev_hash, event_hash(forged, WRONG_KEY)],
    )

    status, _, err = verify()

    forged_id = AuditEvent.objects.get(seq=6).id
    assert status == 1
    assert err.strip() == f"Broken in chain 0 at #6 (event id {forged_id}): hash mismatch"


def test_verify_finds_a_cut_tail_against_the_checkpoint(some_events):
    assert verify()[0] == 0  # writes a checkpoint at #5
    tamper("DELETE FROM audit_auditevent WHERE seq IN (4, 5)")

    status, _, err = verify()

    assert status == 1
    assert err.strip().startswith("Broken in chain 0: it ends at #3 but the checkpoint of ")
    assert err.strip().endswith(" has #5 (events cut from its end)")


def test_verify_finds_a_whole_chain_cut_against_the_checkpoint(some_events):
    call_command("audit_checkpoint", stdout=io.StringIO())
    tamper("DELETE FROM audit_auditevent")

    status, _, err = verify()

    assert status == 1
    assert "Broken in chain 0: it has no events but the checkpoint of " in err


def test_verify_finds_a_tail_cut_and_regrown_against_the_checkpoint(cast, some_events):
    call_command("audit_checkpoint", stdout=io.StringIO())
    tamper("DELETE FROM audit_auditevent WHERE seq = 5")
    replacement = record_event(actor=cast.caseworker, action=AuditAction.SIGN_IN)

    _, _, err = verify()

    assert replacement.seq == 5
    assert err.strip().startswith(
        f"Broken in chain 0 at #5 (event id {replacement.id}): not the event in the checkpoint"
    )


def test_verify_finds_two_events_swapped(some_events):
    # Swap the contents of positions 2 and 3.
    tamper("UPDATE audit_auditevent SET seq = 100 WHERE seq = 2")
    tamper("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_auditevent SET seq = 3 WHERE seq = 100")

    status, _, err = verify()

    assert status == 1
    assert err.strip() == (
        f"Broken in chain 0 at #2 (event id {some_events[2].id}): prev_hash does not match previous"
    )


def test_verify_refuses_the_trail_under_the_wrong_key(some_events, settings):
    settings.AUDIT_KEY = WRONG_KEY

    status, _, err = verify()

    assert status == 1
    assert err.strip() == f"{at(some_events, 1)}: hash mismatch"


def test_verify_refuses_checkpoints_signed_with_another_key(some_events, settings):
    assert verify()[0] == 0
    settings.AUDIT_KEY = WRONG_KEY

    _, _, err = verify()

    assert "Checkpoint line 1 of " in err
    assert "is not signed with this audit key" in err


def test_verify_refuses_a_forged_checkpoint_line(some_events, checkpoint_file):
    assert verify()[0] == 0
    line = json.loads(checkpoint_file.read_text())
    checkpoint_file.write_text(json.dumps(line | {"seq": 3}) + "\n")

    status, _, err = verify()

    assert status == 1
    assert "Checkpoint line 1 of " in err


def test_verify_reads_the_trail_in_chunks(some_events, django_assert_num_queries):
    # Finding the one chain (two look-ups), five events in chunks of two (three reads, the
    # last short one ending the walk), and the count that shows no event was left out.
    with django_assert_num_queries(6):
        result = find_break(chunk_size=2)

    assert (result.checked, result.broken) == (5, None)
