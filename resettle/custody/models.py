"""Custody periods (DESIGN glossary): from remand or sentence to release; a recall returns a
released person to custody and a further release ends that spell. One period holds the whole
sentence, its releases and recalls as dated `CustodyEvent` rows, so nothing is overwritten."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q

from resettle.core.models import TimestampedModel
from resettle.people.models import Person


class CustodyKind(models.TextChoices):
    REMAND = "remand", "Remand"
    SENTENCE = "sentence", "Sentence"


class ReleaseType(models.TextChoices):
    CONDITIONAL = "conditional", "Conditional release (on licence)"
    AUTOMATIC = "automatic", "Automatic release (end of sentence)"
    HOME_DETENTION_CURFEW = "hdc", "Home detention curfew"
    PAROLE = "parole", "Parole"
    BAIL = "bail", "Bail (from remand)"
    END_OF_REMAND = "end_of_remand", "Released from remand (acquitted or non-custodial)"
    OTHER = "other", "Other"


class RecallReason(models.TextChoices):
    """Coded, never free text: the detail of a recall is offence information."""

    BREACH_OF_CONDITIONS = "breach_of_conditions", "Breach of licence conditions"
    FURTHER_OFFENCE = "further_offence", "Charged with a further offence"
    OUT_OF_TOUCH = "out_of_touch", "Failed to keep in touch"
    RISK_ESCALATION = "risk_escalation", "Escalating risk"
    OTHER = "other", "Other"


class CustodyPeriod(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="custody_periods")
    kind = models.CharField(max_length=20, choices=CustodyKind.choices)
    start_date = models.DateField()
    establishment = models.CharField(max_length=200)
    expected_release_date = models.DateField(null=True, blank=True)
    conditional_release_date = models.DateField(null=True, blank=True)
    licence_end_date = models.DateField(null=True, blank=True)
    supervision_end_date = models.DateField(
        null=True, blank=True, help_text="Post-sentence supervision end."
    )
    # Licence conditions are shown only where the risk & suitability category is visible.
    licence_conditions = models.TextField(blank=True, validators=[MaxLengthValidator(4000)])
    # The latest release and recall; each is also a CustodyEvent. `in_custody` is derived.
    released_on = models.DateField(null=True, blank=True)
    release_type = models.CharField(max_length=20, choices=ReleaseType.choices, blank=True)
    recalled_on = models.DateField(null=True, blank=True)
    recall_reason = models.CharField(max_length=30, choices=RecallReason.choices, blank=True)
    # The period is over (licence and supervision ended, or remand ended) when this is set.
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CustodyKind.values), name="custody_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("start_date")),
                name="custody_release_after_start",
            ),
            models.CheckConstraint(
                condition=Q(expected_release_date__isnull=True)
                | Q(expected_release_date__gte=F("start_date")),
                name="custody_expected_release_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["expected_release_date"]),
            models.Index(fields=["person", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d %b %Y}"

    @property
    def in_custody(self) -> bool:
        """In custody unless released since the last recall."""
        if self.released_on is None:
            return True
        return self.recalled_on is not None and self.recalled_on > self.released_on


class CustodyEventKind(models.TextChoices):
    STARTED = "started", "Into custody"
    RELEASED = "released", "Released"
    RECALLED = "recalled", "Recalled"
    ENDED = "ended", "Period ended"


class CustodyEvent(TimestampedModel):
    """One dated step of a custody period: the timeline of every episode."""

    period = models.ForeignKey(CustodyPeriod, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CustodyEventKind.choices)
    on = models.DateField()
    release_type = models.CharField(max_length=20, choices=ReleaseType.choices, blank=True)
    recall_reason = models.CharField(max_length=30, choices=RecallReason.choices, blank=True)
    establishment = models.CharField(max_length=200, blank=True)
    # Where the person goes on release; "no fixed abode" is a value, not a blank.
    release_address = models.CharField(max_length=300, blank=True)
    no_fixed_abode = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["on", "created_at"]
