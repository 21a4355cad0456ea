"""How a report's queries run at national scale.

A set that many figures start from (the people supported in the period, say) is worked out once,
kept in a temporary table of the connection's own (`staged`), and read from there by every
figure, instead of being worked out again inside each figure's query; the database also plans
better over a table whose size it knows than over a nested query. Figures that do not need it
are counted at the same time on a second connection (`alongside`), and PostgreSQL is asked not
to compile the queries to machine code, and may use parallel workers (`report_planning`)."""

import secrets
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection, connections

T = TypeVar("T")

# PostgreSQL's own default for max_parallel_workers_per_gather.
REPORT_PARALLEL_WORKERS = 2


@dataclass(frozen=True)
class Table:
    """A SELECT to keep; `{name}` in it reads a table staged before it. `key` is a column (or
    columns) whose rows are unique, indexed so that figures can look rows up by it."""

    sql: str
    params: Sequence = ()
    key: tuple[str, ...] = ()


@contextmanager
def report_planning() -> Iterator[None]:
    """How PostgreSQL plans a report's queries. No compiling to machine code: a report's queries
    are many index look-ups whose estimates trip it, and compiling one took 150 to 280 ms at
    national scale, longer than running it. Parallel workers as PostgreSQL's default gives
    them (pages' connections start none): a report scans a whole period, and the quarterly
    return at 1M took 15 to 20% longer without them."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = ("jit = off", f"max_parallel_workers_per_gather = {REPORT_PARALLEL_WORKERS}")
    if connection.in_atomic_block:
        # Until the transaction ends, whatever becomes of it.
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(f"SET LOCAL {setting}")
        yield
        return
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET {setting}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
            cursor.execute("RESET max_parallel_workers_per_gather")


@contextmanager
def staged(**tables: Table) -> Iterator[dict[str, str]]:
    """Each table kept while the block runs; yields each one's name in the database. The tables
    are the connection's alone, named afresh each time, and dropped after."""
    names: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            for name, table in tables.items():
                made = f"report_{name}_{secrets.token_hex(6)}"
                sql = table.sql.format(**names)
                cursor.execute(f"CREATE TEMPORARY TABLE {made} AS {sql}", table.params)
                names[name] = made
                if table.key:
                    key = ", ".join(table.key)
                    cursor.execute(f"CREATE UNIQUE INDEX {made}_key ON {made} ({key})")
                cursor.execute(f"ANALYZE {made}")
        yield names
    except BaseException:
        if not connection.in_atomic_block:
            _drop(names)
        # In a transaction the failed statement has spoilt it until the rollback, which
        # removes the tables made in it.
        raise
    else:
        _drop(names)


def _drop(names: dict[str, str]) -> None:
    with connection.cursor() as cursor:
        for made in names.values():
            cursor.execute(f"DROP TABLE IF EXISTS {made}")


@contextmanager
def alongside(work: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Starts `work` on a database connection of its own in another thread while the block
    goes on with the caller's, and yields a function that waits for its result: two queries
    run at once, one per core, as an analytical database spreads one query over the cores.

    Inside a transaction `work` runs here, before the block: another connection could not see
    the transaction's rows yet."""
    if connection.in_atomic_block:
        result = work()
        yield lambda: result
        return

    def run() -> T:
        try:
            with report_planning():
                return work()
        finally:
            connections.close_all()  # this thread's connections: it ends here

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(run).result
