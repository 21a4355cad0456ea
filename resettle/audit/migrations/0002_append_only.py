"""The database itself refuses to change or remove audit events (see resettle/audit/models.py).

PostgreSQL: one plpgsql function raising an error, as a BEFORE UPDATE OR DELETE row trigger and a
BEFORE TRUNCATE statement trigger. TRUNCATE alone is let through while the transaction-local
setting `resettle.audit_maintenance` is 'on' (resettle/audit/maintenance.py: `flush` outside
production).

SQLite: BEFORE UPDATE and BEFORE DELETE triggers that abort; DELETE is let through while the
one-row table `audit_maintenance` has its row, which `flush` inserts and removes inside its own
transaction.

Both raise an integrity error ("audit events are append-only").

On SQLite, a later migration that alters the audit table makes Django rebuild it (new table, copy,
drop, rename), which drops these triggers: such a migration must create them again. The tests
that try to update and delete events will fail if it does not.
"""

from django.db import migrations

MESSAGE = "audit events are append-only"

POSTGRESQL_FORWARD = [
    f"""
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE'
           AND coalesce(current_setting('resettle.audit_maintenance', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
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
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER audit_event_no_update_or_delete ON audit_auditevent",
    "DROP FUNCTION audit_event_append_only()",
]

SQLITE_FORWARD = [
    "CREATE TABLE audit_maintenance (id integer NOT NULL PRIMARY KEY CHECK (id = 1))",
    f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER audit_event_no_delete",
    "DROP TRIGGER audit_event_no_update",
    "DROP TABLE audit_maintenance",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, direction: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"Append-only audit triggers are not written for {vendor}.")
    for statement in STATEMENTS[vendor][direction]:
        schema_editor.execute(statement)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
