import threading

import pytest
from django.db import connection, connections

from resettle.audit.management.commands.verify_audit import find_break
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event

WRITERS = 4
EVENTS_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    if connection.vendor != "postgresql":
        # The test database on SQLite is one shared in-memory database, where threads get
        # "table is locked" instead of waiting; the write lock itself is SQLite's own.
        pytest.skip("needs PostgreSQL: separate connections writing at once")
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_EACH):
                record_event(actor=None, action=AuditAction.READ, object_id=f"{n}-{i}")
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert AuditEvent.objects.count() == WRITERS * EVENTS_EACH
    assert find_break() == (WRITERS * EVENTS_EACH, None, AuditEvent.objects.last().hash)
