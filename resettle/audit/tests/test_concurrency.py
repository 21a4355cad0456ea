import threading

import pytest
from django.db import connection, connections, transaction

from resettle.audit.management.commands.verify_audit import find_break
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event

WRITERS = 4
EVENTS_EACH = 15


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        # The test database on SQLite is one shared in-memory database, where threads get
        # "table is locked" instead of waiting; and SQLite serialises every writer by design.
        pytest.skip("needs PostgreSQL: separate connections writing at once")


def run_threads(*targets) -> list[BaseException]:
    failures: list[BaseException] = []

    def run(target) -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_land_every_event_in_unbroken_chains():
    needs_postgresql()
    start = threading.Barrier(WRITERS)

    def write(n: int):
        def target() -> None:
            start.wait()
            for i in range(EVENTS_EACH):
                record_event(actor=None, action=AuditAction.READ, object_id=f"{n}-{i}")

        return target

    assert run_threads(*(write(n) for n in range(WRITERS))) == []

    assert AuditEvent.objects.count() == WRITERS * EVENTS_EACH
    result = find_break()
    assert (result.checked, result.broken) == (WRITERS * EVENTS_EACH, None)


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_writers_open_transaction():
    needs_postgresql()
    # The first writer records an event and keeps its transaction (and its chain's lock) open
    # until the second has recorded one: with one lock for the whole trail, the second would
    # wait for the first, which waits for it, and both would time out.
    first_recorded, second_recorded = threading.Event(), threading.Event()
    chains = {}

    def first() -> None:
        with transaction.atomic():
            chains["first"] = record_event(actor=None, action=AuditAction.READ).chain
            first_recorded.set()
            assert second_recorded.wait(timeout=10), "the second writer waited for the first"

    def second() -> None:
        assert first_recorded.wait(timeout=10)
        chains["second"] = record_event(actor=None, action=AuditAction.READ).chain
        second_recorded.set()

    assert run_threads(first, second) == []

    assert chains["first"] != chains["second"]
    assert find_break().broken is None
