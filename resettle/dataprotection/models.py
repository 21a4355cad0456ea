"""Data-protection duties (DESIGN §4): the subject access packs an organisation's data-protection
lead asks the task worker to build, the retention schedule with its legal holds and erasure
log. A pack is held here, not on disk, so it goes with the
database's protections, and its content is deleted 30 days after it was made."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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


# Retention -------------------------------------------------------------------------------------


class RecordType(models.TextChoices):
    CLOSED_CASES = "closed_cases", "Closed cases"
    PEOPLE_NO_LONGER_SUPPORTED = "people_no_longer_supported", "People no longer supported"


class RetentionAction(models.TextChoices):
    DELETE_NOTES = "delete_notes", "Delete the notes of the case and its contacts"
    ANONYMISE = "anonymise", "Anonymise the person"


# What each record type may have done to it: only what is carried out completely.
ACTIONS_FOR: dict[str, tuple[str, ...]] = {
    RecordType.CLOSED_CASES: (RetentionAction.DELETE_NOTES,),
    RecordType.PEOPLE_NO_LONGER_SUPPORTED: (RetentionAction.ANONYMISE,),
}
MIN_YEARS = 1
MAX_YEARS = 100


class RetentionRule(TimestampedModel):
    """How long a partnership keeps one type of record after support ends, and what is done
    to it then. One rule per partnership and record type."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="retention_rules"
    )
    record_type = models.CharField(max_length=40, choices=RecordType.choices)
    action = models.CharField(max_length=20, choices=RetentionAction.choices)
    years = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEARS), MaxValueValidator(MAX_YEARS)],
        help_text="Years after support ended.",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["partnership__name", "record_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "record_type"], name="retention_rule_one_per_type"
            ),
            models.CheckConstraint(
                condition=Q(record_type__in=RecordType.values), name="retention_record_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(action__in=RetentionAction.values), name="retention_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(years__gte=MIN_YEARS) & Q(years__lte=MAX_YEARS),
                name="retention_years_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.years} years"

    def clean(self) -> None:
        allowed = ACTIONS_FOR.get(self.record_type, ())
        if self.record_type and self.action and self.action not in allowed:
            raise ValidationError(
                {
                    "action": f"{self.get_record_type_display()} can only be: "
                    + ", ".join(RetentionAction(a).label.lower() for a in allowed)
                }
            )


class LegalHold(TimestampedModel):
    """A person's records that must not be anonymised or deleted (a claim, an inquiry, a
    court order) until the hold is lifted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="legal_holds")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "lifted_at"])]

    def __str__(self) -> str:
        return "Legal hold (lifted)" if self.lifted_at else "Legal hold"


class Anonymisation(models.Model):
    """That a person's record was anonymised under retention, so a rerun leaves it alone."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="anonymisation")
    anonymised_at = models.DateTimeField()

    def __str__(self) -> str:
        return "Anonymised"


class ErasureLogEntry(models.Model):
    """That a retention run anonymised or deleted records: when, under which rule and how many.
    It holds no personal data and no ids of people or records."""

    ran_at = models.DateTimeField()
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.ForeignKey(
        RetentionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record_type = models.CharField(max_length=40, choices=RecordType.choices)
    action = models.CharField(max_length=20, choices=RetentionAction.choices)
    years = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.count}"
