"""The task worker (django-tasks-db's `db_worker`) that also says it is alive, every few seconds,
so /readyz can tell an operator when background work has stopped."""

import os
import threading
from datetime import timedelta

from django.db import close_old_connections, connection
from django.utils import autoreload, timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from resettle.operations.models import WorkerHeartbeat

BEAT_SECONDS = 10
# Rows of workers gone this long are removed, so restarts do not pile up.
FORGET_AFTER = timedelta(days=1)


def beat(worker_id: str, started_at) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now, "started_at": started_at}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def _keep_beating(worker_id: str, stop: threading.Event) -> None:
    started_at = timezone.now()
    while not stop.is_set():
        close_old_connections()
        beat(worker_id, started_at)
        connection.close()  # this thread's own connection; no transaction is kept open
        stop.wait(BEAT_SECONDS)


class Command(DatabaseWorkerCommand):
    help = "Run the task worker (imports, exports, reports), recording that it is alive"

    def handle(self, *args, **options) -> None:
        runs_tasks_here = not options["reload"] or os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV)
        stop = threading.Event()
        if runs_tasks_here:
            threading.Thread(
                target=_keep_beating,
                args=(options["worker_id"], stop),
                name="worker-heartbeat",
                daemon=True,
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
