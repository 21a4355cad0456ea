"""Helpers for tampering with the audit table the way someone with database access could."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from resettle.audit.models import AuditAction
from resettle.audit.services import record_event


@contextmanager
def triggers_off() -> Iterator[None]:
    """Switch off the append-only triggers, as a database owner could, and back on after."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            yield
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            cursor.execute(sql)


def tamper(sql: str, params: list | None = None) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture(autouse=True)
def checkpoint_file(settings, tmp_path):
    """Each test's checkpoints in a file of its own, so none outlives the test's database."""
    settings.AUDIT_CHECKPOINT_PATH = tmp_path / "audit-checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_PATH


@pytest.fixture
def one_chain(settings):
    """Every event in chain 0, so positions are 1, 2, 3... in the order written."""
    settings.AUDIT_CHAINS = 1
    connection.audit_chain = 0


@pytest.fixture
def some_events(cast, one_chain):
    """Five events by the caseworker, at positions 1 to 5 of chain 0."""
    return [
        record_event(
            actor=cast.caseworker, action=AuditAction.READ, object_type="thing", object_id=n
        )
        for n in range(1, 6)
    ]
