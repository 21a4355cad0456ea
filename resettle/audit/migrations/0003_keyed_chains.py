"""Keyed hash chains, several of them, and append-only triggers with no way around them.

1. Drops the triggers of 0002, which let `flush` through: PostgreSQL allowed TRUNCATE while a
   transaction-local setting any database user could set was on, SQLite allowed DELETE while a
   row any writer could insert was in `audit_maintenance` (dropped here too).
2. Adds each event's place, `chain` and `seq`, unique together.
3. Keeps every existing event: it first checks the trail as it was (unkeyed SHA-256 over the id
   and the other fields, ids 1, 2, 3... with no gaps) and refuses to migrate a broken trail,
   whose evidence re-chaining would erase; then it puts the events, in id order, at the start of
   chain 0 (seq = id) and re-chains them with HMAC-SHA256 under the audit key (AUDIT_KEY).
   The hashing rules are copied here, as they were at this migration, so that later changes to
   resettle/audit/chain.py cannot change what this migration did.
4. Creates the append-only triggers again, unconditional: UPDATE, DELETE and (PostgreSQL)
   TRUNCATE are always refused; only someone able to drop or disable triggers (the table's
   owner) can remove events, and the keyed chains and checkpoints show that they did.
5. PostgreSQL: moves the id sequence past the existing ids, which were given by the
   application until now.

Going back is refused: the unkeyed hashes cannot be restored once re-chained.

On SQLite, a later migration that alters the audit table makes Django rebuild it (new table,
copy, drop, rename), which drops these triggers: such a migration must create them again. The
tests that try to update and delete events will fail if it does not.
"""

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime
from uuid import UUID

from django.conf import settings
from django.db import migrations, models

MESSAGE = "audit events are append-only"
GENESIS_HASH = "0" * 64
CHUNK = 2000
OTHER_FIELDS = (
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
LEGACY_FIELDS = ("id", *OTHER_FIELDS)
KEYED_FIELDS = ("chain", "seq", *OTHER_FIELDS)

DROP_OLD = {
    "postgresql": [
        "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
        "DROP TRIGGER audit_event_no_update_or_delete ON audit_auditevent",
        "DROP FUNCTION audit_event_append_only()",
    ],
    "sqlite": [
        "DROP TRIGGER audit_event_no_delete",
        "DROP TRIGGER audit_event_no_update",
        "DROP TABLE audit_maintenance",
    ],
}
CREATE_NEW = {
    "postgresql": [
        f"""
        CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END;
        $$
        """,
        """
        CREATE TRIGGER audit_event_no_update_or_delete
        BEFORE UPDATE OR DELETE ON audit_auditevent
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
        """,
        """
        CREATE TRIGGER audit_event_no_truncate
        BEFORE TRUNCATE ON audit_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
        """,
        """
        SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), max(id))
        FROM audit_auditevent HAVING max(id) IS NOT NULL
        """,
    ],
    "sqlite": [
        f"""
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
        f"""
        CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
    ],
}


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"Append-only audit triggers are not written for {vendor}.")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def drop_old_triggers(apps, schema_editor) -> None:
    _run(schema_editor, DROP_OLD)


def create_new_triggers(apps, schema_editor) -> None:
    _run(schema_editor, CREATE_NEW)


def _canonical(event, fields: tuple[str, ...]) -> str:
    payload = {}
    for name in fields:
        value = getattr(event, name)
        if value is None:
            pass
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif isinstance(value, UUID):
            value = str(value)
        elif name == "ip":
            value = ipaddress.ip_address(value).packed.hex()
        payload[name] = value
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _legacy_hash(event) -> str:
    return hashlib.sha256(
        (event.prev_hash + _canonical(event, LEGACY_FIELDS)).encode("ascii")
    ).hexdigest()


def _keyed_hash(event) -> str:
    message = (event.prev_hash + _canonical(event, KEYED_FIELDS)).encode("ascii")
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def _refuse(problem: str) -> None:
    raise RuntimeError(
        f"The audit trail is broken: {problem}. Nothing was migrated. Run the previous version's "
        "`manage.py verify_audit` and investigate before migrating, as re-chaining would erase "
        "the evidence."
    )


def rechain(apps, schema_editor) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    expected_id, old_prev, new_prev = 1, GENESIS_HASH, GENESIS_HASH
    while True:
        chunk = list(AuditEvent.objects.filter(id__gte=expected_id).order_by("id")[:CHUNK])
        if not chunk:
            return
        for event in chunk:
            if event.id != expected_id:
                _refuse(f"event #{expected_id} is missing")
            if event.prev_hash != old_prev:
                _refuse(f"event #{event.id} does not chain onto the one before it")
            if _legacy_hash(event) != event.hash:
                _refuse(f"event #{event.id} has been changed since it was recorded")
            old_prev = event.hash
            event.chain, event.seq, event.prev_hash = 0, event.id, new_prev
            event.hash = _keyed_hash(event)
            new_prev = event.hash
            expected_id += 1
        AuditEvent.objects.bulk_update(chunk, ["chain", "seq", "prev_hash", "hash"])


def refuse_to_unkey(apps, schema_editor) -> None:
    raise RuntimeError("The keyed audit chains cannot be turned back into the unkeyed one.")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
        migrations.RunPython(create_new_triggers, refuse_to_unkey),
    ]
