"""Contacts (DESIGN glossary): one recorded interaction with a person, attended or not."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Q

from resettle.accounts.models import Organisation
from resettle.cases.models import Case
from resettle.core.models import TimestampedModel
from resettle.core.pathways import Pathway, validate_pathways
from resettle.people.models import Person


class ContactKind(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    VIDEO = "video", "Video"
    CUSTODY_VISIT = "custody_visit", "Visit in custody"
    GATE_MEETING = "gate_meeting", "Gate meeting"
    SESSION = "session", "Session"


class ContactOutcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class CancelledBy(models.TextChoices):
    PERSON = "person", "The person"
    WORKER = "worker", "The worker or organisation"
    OTHER = "other", "Someone else (e.g. the prison)"


class Contact(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    happened_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    pathways = models.JSONField(default=list, blank=True, validators=[validate_pathways])
    note = models.TextField(blank=True, validators=[MaxLengthValidator(4000)])
    # A sensitive note is read only within the recording organisation (and by break-glass).
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["-happened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ContactOutcome.values), name="contact_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="cancelled") | Q(cancelled_by=""),
                name="contact_cancelled_by_only_when_cancelled",
            ),
        ]
        indexes = [
            # A person's contacts in time order; carrying the outcome and organisation lets a
            # report ask "was this person seen by these organisations before (or after) then"
            # of the index alone, once per person at national scale.
            models.Index(
                fields=["person", "happened_at", "outcome", "organisation"],
                name="contact_person_time_idx",
            ),
            models.Index(fields=["case", "happened_at"]),
            models.Index(fields=["organisation", "happened_at"]),
            # Reports: the attended contacts of an organisation in a period, and who they were
            # with, read from the index alone.
            models.Index(
                fields=["organisation", "outcome", "happened_at", "person"],
                name="contact_org_attended_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_at:%Y-%m-%d}"

    @property
    def pathway_labels(self) -> list[str]:
        return [Pathway(value).label for value in self.pathways if value in Pathway.values]
