"""Where generated rows go: the database (PostgreSQL COPY, SQLite executemany) or files
(CSV, Parquet) for the analytics and linkage work. Every sink takes rows table by table, a chunk
at a time, so memory stays bounded whatever the size."""

import csv
from pathlib import Path
from typing import Any, cast

from django.db import connection

from resettle.demo.generator.scale.tables import Table


def _dashed(value: str | None) -> str | None:
    if not value:
        return value
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


class Sink:
    # What a date-time column's text ends with: PostgreSQL is told it is UTC.
    tz_suffix = ""

    def begin(self, tables: list[Table]) -> None:
        self.tables = {t.name: t for t in tables}

    def write(self, table: Table, rows: list[tuple]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass


class IntegrityError(Exception):
    pass


class DatabaseSink(Sink):
    """Bulk mode, for large loads: the tables' secondary indexes are dropped before the load and
    built again after it (sorting once is far quicker than keeping random UUID keys in order
    row by row), and foreign keys are checked once at the end by an anti-join instead of per
    row. Unique and primary-key constraints stay in force throughout; a unique index that was
    dropped is checked again when it is rebuilt. Without bulk mode every constraint is checked
    row by row as usual."""

    def __init__(self, *, bulk: bool = False) -> None:
        self.bulk = bulk
        self.dropped: list[tuple[str, str]] = []

    # What bulk mode does, each database its own way.
    def _droppable(self, cursor, names: list[str]) -> list[tuple[str, str]]:
        raise NotImplementedError

    def _settle(self, cursor) -> None:
        raise NotImplementedError

    def _foreign_keys_off(self, cursor) -> None:
        raise NotImplementedError

    def _foreign_keys_on(self, cursor) -> None:
        raise NotImplementedError

    def begin(self, tables: list[Table]) -> None:
        super().begin(tables)
        if self.bulk:
            with connection.cursor() as cursor:
                self._settle(cursor)
                self.dropped = self._droppable(cursor, [t.name for t in tables])
                for name, _sql in self.dropped:
                    cursor.execute(f'DROP INDEX "{name}"')
                self._foreign_keys_off(cursor)

    def end(self) -> None:
        if not self.bulk:
            return
        with connection.cursor() as cursor:
            self._foreign_keys_on(cursor)
            self._settle(cursor)
            for _name, sql in self.dropped:
                cursor.execute(sql)
            self.dropped = []
            self._check_foreign_keys(cursor)

    def _check_foreign_keys(self, cursor) -> None:
        problems = []
        for table in self.tables.values():
            for f in table.model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                related = f.related_model
                assert isinstance(related, type)  # a concrete relation's model, resolved
                parent = related._meta
                # Names from the models, not from input.
                sql = (
                    f'SELECT count(*) FROM "{table.name}" c WHERE c."{f.column}" IS NOT NULL '  # noqa: S608
                    f'AND NOT EXISTS (SELECT 1 FROM "{parent.db_table}" p '
                    f'WHERE p."{parent.pk.column}" = c."{f.column}")'
                )
                cursor.execute(sql)
                missing = cursor.fetchone()[0]
                if missing:
                    problems.append(f"{table.name}.{f.column}: {missing} rows")
        if problems:
            raise IntegrityError("Rows point at nothing: " + "; ".join(problems))


class PostgresSink(DatabaseSink):
    """COPY ... FROM STDIN per table and chunk, in the caller's transaction."""

    tz_suffix = "+00"

    def write(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        tail = table.tail
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row + tail)

    def _droppable(self, cursor, names: list[str]) -> list[tuple[str, str]]:
        # Indexes that back no constraint (primary keys and unique constraints stay).
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) "
            "ORDER BY i.indexname",
            [names],
        )
        return list(cursor.fetchall())

    def _settle(self, cursor) -> None:
        # Inside an outer transaction (a test), deferred checks still pending would stop the
        # index changes: run them now, then defer again as Django's constraints are declared.
        if connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _foreign_keys_off(self, cursor) -> None:
        # Django's foreign keys are DEFERRABLE: checked at commit, one trigger call per row.
        # Only a superuser may skip the triggers; anyone else keeps them.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        self.replica = bool(cursor.fetchone()[0])
        if self.replica:
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '256MB'")

    def _foreign_keys_on(self, cursor) -> None:
        if self.replica:
            cursor.execute("SET session_replication_role = DEFAULT")


class SqliteSink(DatabaseSink):
    """executemany in the caller's transaction; the load runs with synchronous=OFF."""

    def begin(self, tables: list[Table]) -> None:
        # Outside a transaction only (SQLite refuses inside one, e.g. in a test).
        self.unsafe = not connection.in_atomic_block
        with connection.cursor() as cursor:
            if self.unsafe:
                cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-200000")
        super().begin(tables)
        self.sql = {
            t.name: 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608
                t.name,
                ", ".join(f'"{c}"' for c in t.columns),
                ", ".join("?" * len(t.columns)),
            )
            for t in tables
        }

    def write(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        tail = table.tail
        with connection.cursor() as cursor:
            # The sqlite3 cursor itself: Django's wrapper would rewrite every statement.
            cursor.cursor.executemany(self.sql[table.name], [row + tail for row in rows])

    def end(self) -> None:
        super().end()
        if self.unsafe:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")

    def _droppable(self, cursor, names: list[str]) -> list[tuple[str, str]]:
        # Indexes SQLite made itself for UNIQUE and PRIMARY KEY have no SQL and stay.
        marks = ", ".join(["%s"] * len(names))
        sql = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({marks}) ORDER BY name"
        )
        cursor.execute(sql, names)
        return list(cursor.fetchall())

    def _settle(self, cursor) -> None:
        pass

    def _foreign_keys_off(self, cursor) -> None:
        cursor.execute("PRAGMA foreign_keys = OFF")

    def _foreign_keys_on(self, cursor) -> None:
        cursor.execute("PRAGMA foreign_keys = ON")


def _file_value(kind: str, value: object) -> object:
    if value is None:
        return None
    if kind == "uuid":
        return _dashed(cast(str, value))  # uuid columns hold hex strings
    if kind == "datetime":
        return str(value).replace(" ", "T")[:19] + "Z"
    return value


class CsvSink(Sink):
    """One CSV file per table (header row, UUIDs with dashes, date-times ISO 8601 in UTC)."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)

    def begin(self, tables: list[Table]) -> None:
        super().begin(tables)
        self.out.mkdir(parents=True, exist_ok=True)
        self.files = {}
        self.writers: dict[str, Any] = {}
        for t in tables:
            handle = open(self.out / f"{t.name}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
            writer = csv.writer(handle)
            writer.writerow(t.columns)
            self.files[t.name] = handle
            self.writers[t.name] = writer

    def write(self, table: Table, rows: list[tuple]) -> None:
        kinds = table.kinds
        convert = [i for i, k in enumerate(kinds) if k in ("uuid", "datetime")]
        writer = self.writers[table.name]
        tail = table.tail
        for row in rows:
            full = list(row + tail)
            for i in convert:
                full[i] = _file_value(kinds[i], full[i])
            writer.writerow(
                ["" if v is None else (int(v) if isinstance(v, bool) else v) for v in full]
            )

    def end(self) -> None:
        for handle in self.files.values():
            handle.close()


class ParquetSink(Sink):
    """One Parquet file per table, a row group per chunk, typed columns (pyarrow)."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)

    def begin(self, tables: list[Table]) -> None:
        import pyarrow as pa  # only this sink needs it: the `bench` extra

        super().begin(tables)
        self.pa = pa
        self.out.mkdir(parents=True, exist_ok=True)
        types = {
            "uuid": pa.string(),
            "datetime": pa.timestamp("s", tz="UTC"),
            "date": pa.date32(),
            "bool": pa.bool_(),
            "int": pa.int64(),
            "json": pa.string(),
            "text": pa.string(),
        }
        self.schemas = {
            t.name: pa.schema([(c, types[k]) for c, k in zip(t.columns, t.kinds, strict=True)])
            for t in tables
        }
        self.writers: dict[str, Any] = {}

    def write(self, table: Table, rows: list[tuple]) -> None:
        import datetime as dt

        import pyarrow.parquet as pq

        if not rows:
            return
        pa = self.pa
        tail = table.tail
        full = [row + tail for row in rows]
        arrays = []
        for i, kind in enumerate(table.kinds):
            values = [r[i] for r in full]
            if kind == "uuid":
                values = [_dashed(v) for v in values]
            elif kind == "date":
                values = [None if v is None else dt.date.fromisoformat(v) for v in values]
            elif kind == "datetime":
                values = [
                    None if v is None else dt.datetime.fromisoformat(v[:19] + "+00:00")
                    for v in values
                ]
            arrays.append(pa.array(values, type=self.schemas[table.name].field(i).type))
        batch = pa.Table.from_arrays(arrays, schema=self.schemas[table.name])
        writer = self.writers.get(table.name)
        if writer is None:
            writer = pq.ParquetWriter(self.out / f"{table.name}.parquet", batch.schema)
            self.writers[table.name] = writer
        writer.write_table(batch)

    def end(self) -> None:
        for writer in self.writers.values():
            writer.close()


def sink_for(fmt: str, out: Path | None, *, bulk: bool = False) -> Sink:
    if fmt == "db":
        if connection.vendor == "postgresql":
            return PostgresSink(bulk=bulk)
        return SqliteSink(bulk=bulk)
    if out is None:
        raise ValueError("Writing files needs an output directory")
    return CsvSink(out) if fmt == "csv" else ParquetSink(out)
