"""Audited reads per second under concurrent writers (bench/README.md, "Audit trail writes").

Each writer is a process of its own (as a gunicorn worker is), with its own database
connection, calling `record_reads` as a person page does: one call recording three categories
of one person, in its own transaction. The figure is calls per second across all writers, and
the events those calls wrote. Only the audit write is timed, so what limits it is the audit
trail's locking, not the page around it.

    .venv/bin/python bench/audit_reads.py                          # SQLite file under bench/.data/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_audit .venv/bin/python bench/audit_reads.py

It empties the database first (SQLite: a new file; PostgreSQL: drops and recreates the public
schema), so never point it at a database you want to keep. It ends with `verify_audit`.
"""

import argparse
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
CATEGORIES = ("identity", "contact", "custody")


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("RESETTLE_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resettle.settings")
    import django

    django.setup()


def _fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def _writer(membership_id: int, seconds: float, start_at: float, results) -> None:
    from django.db import connections

    from resettle.accounts.models import Membership
    from resettle.audit.services import record_reads

    connections.close_all()  # never share the parent's connection
    actor = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    people = [uuid.uuid4() for _ in range(50)]
    while time.monotonic() < start_at:
        time.sleep(0.001)
    calls = events = 0
    latencies = []
    deadline = start_at + seconds
    while (now := time.monotonic()) < deadline:
        person = people[calls % len(people)]
        record_reads(actor=actor, reads=[(person, category) for category in CATEGORIES])
        latencies.append(time.monotonic() - now)
        calls += 1
        events += len(CATEGORIES)
    connections.close_all()
    results.put((calls, events, latencies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        path = DATA / "audit-reads.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    # The database starts empty, so checkpoints of an earlier run would not match it.
    checkpoints = DATA / "audit-reads-checkpoints.jsonl"
    checkpoints.unlink(missing_ok=True)
    os.environ["RESETTLE_AUDIT_CHECKPOINTS"] = str(checkpoints)
    _setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from resettle.accounts.tests.factories import make_membership

    _fresh_database()
    membership_id = make_membership().pk
    connections.close_all()

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + 2
    processes = [
        context.Process(target=_writer, args=(membership_id, args.seconds, start_at, results))
        for _ in range(args.writers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()

    calls = sum(outcome[0] for outcome in outcomes)
    events = sum(outcome[1] for outcome in outcomes)
    latencies = sorted(latency for outcome in outcomes for latency in outcome[2])
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0.0
    print(
        f"{connection.vendor}, {args.writers} writers, {args.seconds:g} s: "
        f"{calls / args.seconds:,.0f} audited reads/s ({events / args.seconds:,.0f} events/s), "
        f"p95 {p95:.1f} ms per call"
    )
    call_command("verify_audit")


if __name__ == "__main__":
    main()
