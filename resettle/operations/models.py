"""What an operator needs to know the service is whole: that a task worker is alive."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by each running task worker (`manage.py worker`) every few seconds, so /readyz
    can say whether background work (imports, exports, reports) will be done."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id
