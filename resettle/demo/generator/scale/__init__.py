"""The national-scale generator: a million people and ten million contacts on top of
the demo partnership, written with COPY (PostgreSQL), executemany (SQLite) or to CSV/Parquet
files, in chunks so memory stays bounded. `generate_scale` is the entry point; the management
command `generate_scale` wraps it.

Deterministic: the same seed, size, chunk size and `today` give the same rows (ids included),
on top of the same demo partnership.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction

from resettle.accounts.models import User
from resettle.demo.generator.scale.people import LOAD_ORDER, TABLES, Chunk
from resettle.demo.generator.scale.sinks import Sink, sink_for
from resettle.demo.generator.scale.world import NoDemo, load_world
from resettle.people.models import Identifier, Person

__all__ = ["AlreadyGenerated", "NoDemo", "ScaleResult", "generate_scale"]

DEFAULT_CHUNK = 20_000
# From this size the database load drops and rebuilds secondary indexes (see sinks.py).
BULK_FROM = 50_000
# The contact rate that gives, on average, one contact per person over all the generated
# history, for each contact per person asked for (measured at 20,000 and 100,000 people).
CONTACT_RATE = 0.0198


class AlreadyGenerated(Exception):
    pass


@dataclass
class ScaleResult:
    people: int = 0
    leavers: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def scale_data_exists() -> bool:
    return Person.objects.filter(created_by__username__startswith="scale.").exists()


def generate_scale(
    *,
    people: int,
    contacts_per_person: float = 10.0,
    seed: int = 2026,
    today: date | None = None,
    fmt: str = "db",
    out: Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    bulk: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleResult:
    today = today or date.today()
    started = time.perf_counter()
    if fmt == "db" and scale_data_exists():
        raise AlreadyGenerated(
            "This database already has scale data. Start from a fresh database (or "
            "`manage.py generate_demo --reset` on a small one) to generate it again."
        )
    with transaction.atomic():
        world = load_world(people)
    taken = set(Identifier.objects.values_list("scheme", "value"))
    if bulk is None:
        bulk = people >= BULK_FROM
    sink: Sink = sink_for(fmt, out, bulk=bulk)
    if bulk and fmt == "db" and progress:
        progress("  Bulk mode: secondary indexes are rebuilt and foreign keys checked at the end")
    now = f"{today.isoformat()} 06:00:00"
    tables = [TABLES[name].bind(now) for name in LOAD_ORDER]
    result = ScaleResult()
    sink.begin(tables)
    rate = contacts_per_person * CONTACT_RATE
    index = 0
    try:
        while result.people < people:
            chunk = Chunk(
                world,
                seed=seed,
                index=index,
                leaver_cap=chunk_size,
                person_budget=min(chunk_size, people - result.people),
                contact_rate=rate,
                today=today,
                tz=sink.tz_suffix,
                taken=taken,
            ).run()
            _write(sink, chunk, fmt)
            result.people += chunk.people
            result.leavers += chunk.leavers
            for name, rows in chunk.rows.items():
                result.counts[name] = result.counts.get(name, 0) + len(rows)
            index += 1
            if progress:
                elapsed = time.perf_counter() - started
                progress(
                    f"  {result.people:>10,} people  {result.counts['contact']:>11,} contacts  "
                    f"{result.rows:>11,} rows  {elapsed:7.1f}s  "
                    f"{result.rows / max(elapsed, 1e-9):,.0f} rows/s"
                )
    finally:
        if progress and bulk and fmt == "db":
            progress("  Building the indexes again and checking every foreign key")
        sink.end()
    if fmt == "db":
        if progress:
            progress("  Updating the planner's statistics and the visibility map (VACUUM ANALYZE)")
        _analyse(tables)
    result.seconds = time.perf_counter() - started
    return result


def _write(sink: Sink, chunk: Chunk, fmt: str) -> None:
    if fmt != "db":
        for name in LOAD_ORDER:
            sink.write(TABLES[name], chunk.rows[name])
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        for name in LOAD_ORDER:
            sink.write(TABLES[name], chunk.rows[name])


def _analyse(tables) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM too, as autovacuum would in service: it marks the freshly loaded pages
            # all-visible, so index-only scans need not read the table. (Not possible inside
            # a transaction, as in tests.)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for table in tables:
                cursor.execute(f'{command} "{table.name}"')
            cursor.execute(f'{command} "{User._meta.db_table}"')
            # The demo partnership's tables too, so that no plan rests on a table the planner
            # has never measured (autovacuum would get to them later, in its own time).
            loaded = {table.name for table in tables} | {User._meta.db_table}
            for name in connection.introspection.table_names(cursor):
                if name not in loaded:
                    cursor.execute(f'ANALYZE "{name}"')
        else:
            cursor.execute("ANALYZE")
