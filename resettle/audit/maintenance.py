"""Emptying the whole database with `flush`, audit table included, outside production only.

Django's test cases that commit (pytest-django's `transactional_db`, `live_server`) empty every
table with `flush` after each test: TRUNCATE on PostgreSQL, DELETE on SQLite. The append-only
triggers refuse that for the audit table, and have no switch to let anything through: `flush`
(resettle/audit/management/commands/flush.py) takes them off for its own transaction, as only
the table's owner may (PostgreSQL: ALTER TABLE ... DISABLE TRIGGER; SQLite: drop and create
again), and they are back before it commits; a failed flush rolls back with them in place.
In production `flush` does not do this: it fails and the audit trail survives, as it must.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

TABLE = "audit_auditevent"


@contextmanager
def allow_flush(using: str = "default") -> Iterator[None]:
    """Within one transaction, let the audit table be emptied along with every other table."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [TABLE],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            cursor.execute(sql)
