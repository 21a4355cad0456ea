"""Backups that restore: one file holding the database as it was at one instant, with a manifest
(row counts per table and the head of every audit chain at that instant) and checksums, so that a
backup can be restored into a scratch database and shown to hold exactly what it says.

A backup file is an uncompressed tar with two members:
  - `manifest.json`: format, database vendor, when, the database member's SHA-256, row counts;
  - `database.sqlite3` (SQLite's online backup API, safe while the service runs) or
    `database.pgdump` (`pg_dump --format=custom` in the same snapshot the counts were taken in).
Beside it, `<file>.sha256` holds the whole file's checksum, so a copy damaged or altered after
writing is named before anything is restored from it.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from resettle.audit.models import AuditEvent

FORMAT = "resettle-backup/1"
MANIFEST = "manifest.json"
MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, trusted or restored; the message says why."""


@dataclass(frozen=True)
class Target:
    """A database to restore into or read from, outside Django's connections."""

    vendor: str
    name: str  # the SQLite file, or the PostgreSQL database name
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def default(cls) -> "Target":
        db = connection.settings_dict
        vendor = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
        return cls(
            vendor=vendor,
            name=str(db["NAME"]),
            host=str(db.get("HOST") or ""),
            port=str(db.get("PORT") or ""),
            user=str(db.get("USER") or ""),
            password=str(db.get("PASSWORD") or ""),
        )

    def with_name(self, name: str) -> "Target":
        return Target(self.vendor, name, self.host, self.port, self.user, self.password)

    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.name}"
        credentials = self.user + (f":{self.password}" if self.password else "")
        at = f"{credentials}@" if credentials else ""
        port = f":{self.port}" if self.port else ""
        return f"postgres://{at}{self.host}{port}/{self.name}"

    def pg_environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PGHOST": self.host or "localhost",
                "PGPORT": self.port or "5432",
                "PGUSER": self.user,
                "PGDATABASE": self.name,
            }
        )
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def pg_connect(self, dbname: str | None = None, **kwargs: Any) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host or "localhost",
            port=self.port or "5432",
            user=self.user or None,
            password=self.password or None,
            dbname=dbname or self.name,
            **kwargs,
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _audit_heads(cursor: Any) -> dict[str, list]:
    """chain -> [last position, its hash], from a DB-API cursor on any of the two databases."""
    table = AuditEvent._meta.db_table
    cursor.execute(
        f"SELECT e.chain, e.seq, e.hash FROM {table} e "  # noqa: S608 - our own table name
        f"JOIN (SELECT chain, MAX(seq) AS seq FROM {table} GROUP BY chain) last "
        "ON last.chain = e.chain AND last.seq = e.seq ORDER BY e.chain"
    )
    return {str(chain): [seq, hash_] for chain, seq, hash_ in cursor.fetchall()}


def _row_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


# Making a backup --------------------------------------------------------------------------------


def _dump_sqlite(into: Path) -> dict[str, Any]:
    """SQLite's online backup API copies pages consistently while others keep writing."""
    connection.ensure_connection()
    destination = sqlite3.connect(into)
    try:
        connection.connection.backup(destination)
        cursor = destination.cursor()
        tables = _sqlite_tables(cursor)
        return {"row_counts": _row_counts(cursor, tables), "audit_heads": _audit_heads(cursor)}
    finally:
        destination.close()


def _dump_postgresql(into: Path, source: Target) -> dict[str, Any]:
    """Counts and dump from one exported snapshot, so the manifest describes the dump exactly."""
    with source.pg_connect(autocommit=False) as held:
        with held.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]  # type: ignore[index]
            tables = _pg_tables(cursor)
            contents = {
                "row_counts": _row_counts(cursor, tables),
                "audit_heads": _audit_heads(cursor),
            }
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={into}",
                ],
                source,
            )
        held.rollback()
    return contents


def _run(command: list[str], target: Target) -> None:
    finished = subprocess.run(  # noqa: S603 - fixed programs, arguments we made
        command, env=target.pg_environment(), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()[:2000]}")


def make_backup(directory: Path) -> Path:
    """Write a backup of the default database into `directory`; returns the file's path."""
    source = Target.default()
    directory.mkdir(parents=True, exist_ok=True)
    made_at = timezone.now()
    name = f"resettle-{made_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}.backup"
    path = directory / name
    with tempfile.TemporaryDirectory(dir=directory) as work:
        member = Path(work) / MEMBER[source.vendor]
        if source.vendor == "sqlite":
            contents = _dump_sqlite(member)
        else:
            contents = _dump_postgresql(member, source)
        manifest = {
            "format": FORMAT,
            "vendor": source.vendor,
            "made_at": made_at.isoformat(),
            "member": member.name,
            "member_sha256": _sha256(member),
            **contents,
        }
        partial = path.with_suffix(".partial")
        with tarfile.open(partial, "w") as archive:
            encoded = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(encoded)
            info.mtime = int(made_at.timestamp())
            archive.addfile(info, io.BytesIO(encoded))
            archive.add(member, arcname=member.name)
        partial.rename(path)  # a backup file is never seen half-written
    Path(f"{path}.sha256").write_text(f"{_sha256(path)}  {path.name}\n")
    return path


# Reading one back -------------------------------------------------------------------------------


@contextmanager
def opened(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest and the database member, checked against both checksums, unpacked into a
    temporary directory for as long as the caller needs it."""
    if not path.is_file():
        raise BackupError(f"{path} is not a backup file")
    sidecar = Path(f"{path}.sha256")
    if not sidecar.is_file():
        raise BackupError(f"{sidecar.name} is missing, so {path.name} cannot be checked")
    expected = sidecar.read_text().split()[0] if sidecar.read_text().strip() else ""
    if _sha256(path) != expected:
        raise BackupError(f"{path.name} does not match its checksum: it was altered or damaged")
    with tempfile.TemporaryDirectory() as work, tarfile.open(path) as archive:
        try:
            manifest = json.load(archive.extractfile(MANIFEST))  # type: ignore[arg-type]
        except (KeyError, json.JSONDecodeError) as exc:
            raise BackupError(f"{path.name} has no readable manifest") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path.name} is not a backup this version can read")
        archive.extract(manifest["member"], work, filter="data")
        member = Path(work) / manifest["member"]
        if _sha256(member) != manifest["member_sha256"]:
            raise BackupError(f"The database in {path.name} does not match its manifest")
        yield manifest, member


def _sqlite_connect(name: str) -> sqlite3.Connection:
    # The test suite's database is a shared in-memory one, named by a URI.
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _is_empty(target: Target) -> bool:
    if target.vendor == "sqlite":
        if not target.name.startswith("file:") and not Path(target.name).exists():
            return True
        with closing(_sqlite_connect(target.name)) as lite:
            return not _sqlite_tables(lite.cursor())
    with target.pg_connect() as db, db.cursor() as cursor:
        return not _pg_tables(cursor)


def restore(path: Path, target: Target) -> dict[str, Any]:
    """Restore a backup into an empty database (never over one that holds anything); returns
    its manifest."""
    with opened(path) as (manifest, member):
        if manifest["vendor"] != target.vendor:
            raise BackupError(
                f"{path.name} is a {manifest['vendor']} backup; it cannot be restored into "
                f"{target.vendor}"
            )
        if not _is_empty(target):
            raise BackupError(
                f"The database {target.name} is not empty: restore only into a new, empty "
                "database, so nothing in it is overwritten"
            )
        if target.vendor == "sqlite":
            if target.name.startswith("file:"):
                raise BackupError("Restore into a database file, not an in-memory database")
            partial = Path(f"{target.name}.restoring")
            shutil.copyfile(member, partial)
            partial.rename(target.name)
        else:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={target.name}",
                    str(member),
                ],
                target,
            )
        return manifest


def _contents(target: Target) -> tuple[dict[str, int], dict[str, list]]:
    if target.vendor == "sqlite":
        with closing(_sqlite_connect(target.name)) as lite:
            found = lite.cursor()
            return _row_counts(found, _sqlite_tables(found)), _audit_heads(found)
    with target.pg_connect() as db, db.cursor() as cursor:
        return _row_counts(cursor, _pg_tables(cursor)), _audit_heads(cursor)


@contextmanager
def scratch_database(like: Target) -> Iterator[Target]:
    """An empty database of the same kind, dropped afterwards."""
    if like.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as work:
            yield like.with_name(str(Path(work) / "scratch.sqlite3"))
        return
    name = f"resettle_verify_{uuid.uuid4().hex[:12]}"
    with like.pg_connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield like.with_name(name)
    finally:
        with like.pg_connect(dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _verify_audit_chain(target: Target) -> str | None:
    """The audit trail's own check, run on the restored copy (with no checkpoints of the live
    trail, which has moved on): None when intact, else what is broken."""
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": target.url(),
                "RESETTLE_AUDIT_CHECKPOINTS": str(Path(work) / "checkpoints.jsonl"),
            }
        )
        finished = subprocess.run(
            [sys.executable, "manage.py", "verify_audit", "--no-checkpoint"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if finished.returncode != 0:
        return (finished.stderr.strip() or finished.stdout.strip())[:2000]
    return None


def verify(path: Path) -> list[str]:
    """Restore into a scratch database and compare it with the manifest: every table's rows and
    every audit chain's head, then the audit chain's own check. Returns the problems found."""
    with scratch_database(Target.default()) as scratch:
        manifest = restore(path, scratch)
        counts, heads = _contents(scratch)
        problems = [
            f"{table}: {manifest['row_counts'].get(table)} rows in the manifest, "
            f"{counts.get(table)} restored"
            for table in sorted(set(counts) | set(manifest["row_counts"]))
            if counts.get(table) != manifest["row_counts"].get(table)
        ]
        if heads != manifest["audit_heads"]:
            problems.append("The restored audit chains do not end where the manifest says")
        broken = _verify_audit_chain(scratch)
        if broken:
            problems.append(f"Audit trail: {broken}")
        return problems
