"""The one way past the append-only triggers: emptying the whole database with `flush`.

Django's test cases that commit (pytest-django's `transactional_db`, `live_server`) empty every
table with `flush` after each test: TRUNCATE on PostgreSQL, DELETE on SQLite. The triggers would
refuse that for the audit table, so `flush` (resettle/audit/management/commands/flush.py) turns
this switch on for its own transaction, outside production only. In production `flush` fails
and the audit trail survives, as it must.

The switch is scoped to one transaction on one connection: PostgreSQL's transaction-local
setting `resettle.audit_maintenance`, and on SQLite (which has no session variables) a row in
the `audit_maintenance` table that is inserted and deleted inside the same transaction, so no
other connection ever sees it. It allows TRUNCATE (PostgreSQL) or DELETE (SQLite) only; nothing
ever allows UPDATE.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def allow_flush(using: str = "default") -> Iterator[None]:
    """Within one transaction, let the audit table be emptied along with every other table."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('resettle.audit_maintenance', 'on', true)")
            yield
        else:
            cursor.execute("INSERT INTO audit_maintenance (id) VALUES (1)")
            yield
            cursor.execute("DELETE FROM audit_maintenance")
