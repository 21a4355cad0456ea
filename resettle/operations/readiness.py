"""Whether this process can serve: the database answers, every migration is applied and a task
worker has been seen lately. Each check says what is wrong, for the operator, and nothing else."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from resettle.operations.models import WorkerHeartbeat


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


_migrated = False  # once all are applied in this process they stay applied


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("database", False, f"the database does not answer: {type(exc).__name__}")
    return Check("database", True, "answers")


def _migrations() -> Check:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if waiting:
            return Check("migrations", False, f"{len(waiting)} not applied: run migrate")
        _migrated = True
    return Check("migrations", True, "all applied")


def _worker() -> Check:
    stale_after = timedelta(seconds=settings.WORKER_STALE_SECONDS)
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if latest is None:
        return Check("worker", False, "no task worker has ever run: start `manage.py worker`")
    quiet = timezone.now() - latest
    if quiet > stale_after:
        return Check("worker", False, f"no task worker seen for {int(quiet.total_seconds())} s")
    return Check("worker", True, "seen lately")


def readiness() -> list[Check]:
    database = _database()
    if not database.ok:
        return [database]
    return [database, _migrations(), _worker()]
