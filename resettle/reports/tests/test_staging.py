"""Tables a report counts from are the connection's own and gone when the report is."""

import threading

import pytest
from django.db import IntegrityError, connection

from resettle.accounts.models import Organisation
from resettle.reports.staging import Table, alongside, report_planning, staged


def _staged_tables() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r' "
                "AND relname LIKE 'report\\_%%'"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_temp_master WHERE type = 'table' "
                "AND name LIKE 'report\\_%' ESCAPE '\\'"
            )
        return [name for (name,) in cursor.fetchall()]


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (a name staged() made)
        return cursor.fetchall()


@pytest.mark.django_db
def test_later_tables_read_earlier_ones_and_all_are_dropped_after():
    numbers = "SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3"
    with staged(
        numbers=Table(numbers, key=("n",)),
        large=Table("SELECT n FROM {numbers} WHERE n > %s", (1,)),
    ) as tables:
        assert _rows(tables["numbers"]) == [(1,), (2,), (3,)]
        assert _rows(tables["large"]) == [(2,), (3,)]
        assert sorted(_staged_tables()) == sorted(tables.values())
    assert _staged_tables() == []


@pytest.mark.django_db(transaction=True)
def test_a_failure_outside_a_transaction_still_drops_the_tables():
    with pytest.raises(ZeroDivisionError), staged(numbers=Table("SELECT 1 AS n")):
        assert len(_staged_tables()) == 1
        1 / 0  # noqa: B018
    assert _staged_tables() == []


@pytest.mark.django_db
def test_the_key_is_unique():
    duplicated = Table("SELECT 1 AS n UNION ALL SELECT 1", key=("n",))
    with pytest.raises(IntegrityError), staged(numbers=duplicated):
        pass


@pytest.mark.django_db(transaction=True)
def test_work_alongside_runs_at_once_on_a_connection_of_its_own():
    caller = threading.get_ident()
    with alongside(lambda: (threading.get_ident(), Organisation.objects.count())) as result:
        thread, organisations = result()
    assert thread != caller
    assert organisations == Organisation.objects.count()


@pytest.mark.django_db
def test_in_a_transaction_work_alongside_runs_here_and_sees_its_rows():
    Organisation.objects.create(name="Not committed", kind="other")
    with alongside(lambda: (threading.get_ident(), Organisation.objects.count())) as result:
        thread, organisations = result()
    assert thread == threading.get_ident()
    assert organisations == Organisation.objects.count()


def _show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
@pytest.mark.django_db(transaction=True)
def test_a_report_is_planned_without_jit_and_with_parallel_workers_which_pages_do_not_get():
    assert _show("max_parallel_workers_per_gather") == "0"
    with report_planning():
        assert _show("jit") == "off"
        assert _show("max_parallel_workers_per_gather") == "2"
    assert _show("max_parallel_workers_per_gather") == "0"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
@pytest.mark.django_db
def test_inside_a_transaction_the_report_settings_end_with_it():
    with report_planning():
        assert _show("max_parallel_workers_per_gather") == "2"
    # SET LOCAL: until the transaction (the test's) ends.
    assert _show("max_parallel_workers_per_gather") == "2"
