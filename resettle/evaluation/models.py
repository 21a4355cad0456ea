"""Evidence for evaluation (DESIGN §11): criminal-justice outcome events (further offences,
arrests, convictions, cautions; recalls stay custody events and are read from there), Justice
Data Lab cohorts and the results the JDL returns, evaluations for a named external evaluator,
and the export jobs the task worker builds their files in."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.people.models import Person


def _choice_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# Outcome events ---------------------------------------------------------------------------------


class OutcomeEventKind(models.TextChoices):
    FURTHER_OFFENCE = "further_offence", "Further offence (reported)"
    ARREST = "arrest", "Arrest"
    CONVICTION = "conviction", "Conviction"
    CAUTION = "caution", "Caution"


# A recall is a custody event; lists of outcomes show it under this kind.
RECALL = "recall"


class OffenceCategory(models.TextChoices):
    """The Office for National Statistics' offence groups, coded: the detail of an offence
    stays in the records of the police and courts."""

    VIOLENCE = "violence", "Violence against the person"
    SEXUAL = "sexual", "Sexual offences"
    ROBBERY = "robbery", "Robbery"
    THEFT = "theft", "Theft"
    BURGLARY = "burglary", "Burglary"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage and arson"
    DRUGS = "drugs", "Drug offences"
    WEAPONS = "weapons", "Possession of weapons"
    PUBLIC_ORDER = "public_order", "Public order offences"
    FRAUD = "fraud", "Fraud"
    MOTORING = "motoring", "Motoring offences"
    BREACH = "breach", "Breach of a court order"
    OTHER = "other", "Other offences"
    NOT_KNOWN = "not_known", "Not known"


class OutcomeSource(models.TextChoices):
    POLICE = "police", "Police"
    COURT = "court", "Court"
    PNC = "pnc", "Police National Computer"
    PROBATION = "probation", "Probation record"
    PRISON = "prison", "Prison record"
    SELF_REPORT = "self_report", "The person told us"
    OTHER = "other", "Other"


class OutcomeEvent(TimestampedModel):
    """A dated criminal-justice event after support began: offence information, read only by
    those who may see the offence category."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="outcome_events")
    kind = models.CharField(max_length=20, choices=OutcomeEventKind.choices)
    occurred_on = models.DateField()
    offence_category = models.CharField(max_length=20, choices=OffenceCategory.choices)
    source = models.CharField(max_length=20, choices=OutcomeSource.choices)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        constraints = [
            _choice_check("kind", OutcomeEventKind, "outcome_event_kind_valid"),
            _choice_check("offence_category", OffenceCategory, "outcome_event_category_valid"),
            _choice_check("source", OutcomeSource, "outcome_event_source_valid"),
        ]
        indexes = [models.Index(fields=["person", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %B %Y}"

    def clean(self) -> None:
        if self.occurred_on and self.occurred_on > timezone.localdate():
            raise ValidationError({"occurred_on": "The date must be today or in the past"})


# Justice Data Lab cohorts -----------------------------------------------------------------------


class Cohort(TimestampedModel):
    """The people who received a service from the organisation in a date range. Who qualifies
    is worked out from the records each time it is shown; the file exported is a snapshot."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    service_from = models.DateField()
    service_to = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_to__gte=F("service_from")), name="cohort_range_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.service_from and self.service_to and self.service_to < self.service_from:
            raise ValidationError({"service_to": "The end date must be on or after the start"})
        if self.service_to and self.service_to > timezone.localdate():
            raise ValidationError({"service_to": "The end date must be today or in the past"})


def _rate() -> models.DecimalField:
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


def _measure(*, optional: bool = False) -> models.DecimalField:
    return models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=optional,
        blank=optional,
        validators=[MinValueValidator(0)],
    )


class CohortResult(TimestampedModel):
    """What the Justice Data Lab returned for a cohort: one-year proven reoffending for the
    cohort (the treatment group it matched) and the matched comparison group, each with its 95%
    confidence interval. Dated rows: a re-run adds one, never rewrites the last."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="results")
    received_on = models.DateField()
    treatment_size = models.PositiveIntegerField(help_text="People the JDL matched.")
    comparison_size = models.PositiveIntegerField()
    rate = _rate()
    rate_low = _rate()
    rate_high = _rate()
    comparison_rate = _rate()
    comparison_rate_low = _rate()
    comparison_rate_high = _rate()
    frequency = _measure()
    frequency_low = _measure()
    frequency_high = _measure()
    comparison_frequency = _measure()
    comparison_frequency_low = _measure()
    comparison_frequency_high = _measure()
    days_to_reoffend = _measure(optional=True)
    days_to_reoffend_low = _measure(optional=True)
    days_to_reoffend_high = _measure(optional=True)
    comparison_days_to_reoffend = _measure(optional=True)
    comparison_days_to_reoffend_low = _measure(optional=True)
    comparison_days_to_reoffend_high = _measure(optional=True)
    caveats = models.TextField(validators=[MaxLengthValidator(4000)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-created_at"]

    def clean(self) -> None:
        errors = {}
        for measure in (
            "rate",
            "comparison_rate",
            "frequency",
            "comparison_frequency",
            "days_to_reoffend",
            "comparison_days_to_reoffend",
        ):
            value = getattr(self, measure)
            low, high = getattr(self, f"{measure}_low"), getattr(self, f"{measure}_high")
            given = [v is not None for v in (value, low, high)]
            if any(given) and not all(given):
                errors[measure] = "Give the figure with both ends of its confidence interval"
            elif all(given) and not low <= value <= high:
                errors[measure] = "The figure must lie within its confidence interval"
        if self.received_on and self.received_on > timezone.localdate():
            errors["received_on"] = "The date must be today or in the past"
        if errors:
            raise ValidationError(errors)


# Evaluations --------------------------------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_hex(32)


class Evaluation(TimestampedModel):
    """An external evaluation of a cohort's support. Its secret keys the pseudonyms, so the
    same person has the same pseudonym in every extract of this evaluation and a different one
    in any other."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="evaluations")
    name = models.CharField(max_length=200)
    evaluator = models.CharField(max_length=200)
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


# Export jobs ------------------------------------------------------------------------------------


class ExportKind(models.TextChoices):
    JDL_COHORT = "jdl_cohort", "Justice Data Lab cohort file"
    EVALUATOR_EXTRACT = "evaluator_extract", "Evaluator extract"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class ExportJob(TimestampedModel):
    """One file being built by the task worker, with its progress; downloaded by whoever asked
    for it. The file is held here, not on disk, so it goes with the database's protections."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="exports"
    )
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="exports"
    )
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Per cent done."
    )
    rows = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    # A JDL file names people: each download goes in their own audit trail.
    people = models.JSONField(default=list, blank=True, help_text="Ids of the people named.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            _choice_check("kind", ExportKind, "export_kind_valid"),
            _choice_check("state", ExportState, "export_state_valid"),
            models.CheckConstraint(
                condition=(Q(kind=ExportKind.JDL_COHORT) & Q(cohort__isnull=False))
                | (Q(kind=ExportKind.EVALUATOR_EXTRACT) & Q(evaluation__isnull=False)),
                name="export_names_what_it_exports",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display().lower()})"
