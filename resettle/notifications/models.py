from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel


def validate_local_link(value: str) -> None:
    """A notification may only point inside Resettle: a path on this site, never another site
    or a `javascript:` URL, so a notification can never be used to send someone elsewhere."""
    if value and (not value.startswith("/") or value.startswith("//") or "\\" in value):
        raise ValidationError("Link to a page in Resettle, starting with /")


class Notification(TimestampedModel):
    """A message to one user, shown in Resettle until they read it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The organisation the recipient is told as: why it reached them.",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=4000)
    link = models.CharField(max_length=500, blank=True, validators=[validate_local_link])
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.recipient})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
