import uuid

from django.db import models


class TimestampedModel(models.Model):
    """Base for domain records: a UUID the API can expose, and when it was made and changed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
