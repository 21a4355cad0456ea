from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from resettle.access.categories import BREAK_GLASS_CATEGORIES, Category
from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.people.models import Person

MIN_REASON_LENGTH = 20


class BreakGlassAccess(TimestampedModel):
    """A safeguarding lead opening a restricted category of one person's record, for a stated
    reason and a limited time. Never edited after it is opened, except to close it early."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="break_glass_accesses"
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    reason = models.TextField(max_length=2000)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["person", "user", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("opened_at")),
                name="break_glass_expires_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(category__in=sorted(BREAK_GLASS_CATEGORIES)),
                name="break_glass_category_restricted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} opened {self.get_category_display()} for {self.person}"

    def clean(self) -> None:
        if len((self.reason or "").strip()) < MIN_REASON_LENGTH:
            raise ValidationError(
                {"reason": f"Explain why, in at least {MIN_REASON_LENGTH} characters"}
            )

    def is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.closed_at is None and self.opened_at <= at < self.expires_at
