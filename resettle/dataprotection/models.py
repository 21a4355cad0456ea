"""Data-protection duties (DESIGN §4): the subject access packs an organisation's data-protection
lead asks the task worker to build. A pack is held here, not on disk, so it goes with the
database's protections, and its content is deleted 30 days after it was made."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.people.models import Person

# Long enough to check the pack and hand it over (a request is answered within a month), short
# enough that copies of a whole record do not pile up.
KEPT_FOR = timedelta(days=30)


class SubjectAccessState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"
    DELETED = "deleted", "Deleted after 30 days"


class SubjectAccessExport(TimestampedModel):
    """One subject access pack: everything the organisation holds about a person, or may see
    of them under the sharing agreements, as it stood when the pack was built."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="subject_access_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=SubjectAccessState.choices, default=SubjectAccessState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Per cent done."
    )
    error = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the pack's content is deleted."
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=SubjectAccessState.values),
                name="subject_access_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["person", "organisation", "created_at"])]

    def __str__(self) -> str:
        return f"Subject access pack ({self.get_state_display().lower()})"
