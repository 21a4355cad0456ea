"""Open Referral UK imports: each uploaded feed (kept until confirmed, then as a record of what it
did), and which directory service each feed row became, so importing the same feed again
updates those services instead of adding copies."""

from django.conf import settings
from django.db import models

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.directory.models import Service


class FeedImportState(models.TextChoices):
    PREVIEWED = "previewed", "Waiting for confirmation"
    IMPORTED = "imported", "Imported"


class FeedImport(TimestampedModel):
    """One uploaded ORUK feed file for one organisation. Nothing in the directory changes until an
    organisation admin confirms the preview; then every row is imported in one transaction."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="oruk_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    payload = models.JSONField(help_text="The feed as uploaded.")
    state = models.CharField(
        max_length=20, choices=FeedImportState.choices, default=FeedImportState.PREVIEWED
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=FeedImportState.values),
                name="oruk_import_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state=FeedImportState.PREVIEWED, imported_at__isnull=True)
                | models.Q(state=FeedImportState.IMPORTED, imported_at__isnull=False),
                name="oruk_import_imported_at_with_state",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class ImportedService(TimestampedModel):
    """The ORUK id a service had in the feed it was imported from."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="oruk_service_ids"
    )
    oruk_id = models.CharField(max_length=200)
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="oruk_import")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "oruk_id"], name="oruk_id_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.oruk_id
