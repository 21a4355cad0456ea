"""Offence and risk (DESIGN §4, offence & sentence): the index offence and sentence, risk of
serious harm (RoSH) and MAPPA, and licence conditions. Probation and the prison record them; no
agreement opens them to anyone else, only an audited break-glass does.

Nothing is overwritten: a new risk assessment supersedes the current one, which stays as
history; a licence condition is ended with a date, never deleted; earlier sentences stay as the
person's history."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.evaluation.models import OffenceCategory
from resettle.people.models import Person


def _in_choices(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def _not_in_future(value: date | None, field: str, what: str) -> dict[str, str]:
    if value is not None and value > date.today():
        return {field: f"{what} must be today or in the past"}
    return {}


# Sentences --------------------------------------------------------------------------------------


class SentenceType(models.TextChoices):
    IMMEDIATE_CUSTODY = "immediate_custody", "Immediate custody"
    EXTENDED = "extended", "Extended determinate sentence"
    LIFE = "life", "Life sentence"
    IPP = "ipp", "Imprisonment for public protection (IPP)"
    SUSPENDED = "suspended", "Suspended sentence order"
    COMMUNITY_ORDER = "community_order", "Community order"
    OTHER = "other", "Other"


# Sentences with no set length: the length is left empty.
INDETERMINATE = frozenset({SentenceType.LIFE, SentenceType.IPP})
MAX_MONTHS = 1200
MAX_DAYS = 366


class Sentence(TimestampedModel):
    """One sentence a court passed, for its index offence (the main offence, by group). A later
    sentence is a new record; a sentence recorded wrongly is corrected, its earlier values kept
    in the audit trail."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sentences")
    index_offence_category = models.CharField(
        "Index offence category", max_length=20, choices=OffenceCategory.choices
    )
    sentence_type = models.CharField(
        "Type of sentence", max_length=20, choices=SentenceType.choices
    )
    length_months = models.PositiveSmallIntegerField(
        "Months", null=True, blank=True, validators=[MaxValueValidator(MAX_MONTHS)]
    )
    length_days = models.PositiveSmallIntegerField(
        "Days", null=True, blank=True, validators=[MaxValueValidator(MAX_DAYS)]
    )
    sentenced_on = models.DateField("Date of sentence")
    court = models.CharField("Court (optional)", max_length=200, blank=True)
    notes = models.TextField("Notes (optional)", blank=True, validators=[MaxLengthValidator(2000)])
    # Counts corrections, so one made on a version the corrector did not see is refused.
    version = models.PositiveIntegerField(default=1)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sentenced_on", "-created_at"]
        constraints = [
            _in_choices("sentence_type", SentenceType, "offending_sentence_type_valid"),
            _in_choices(
                "index_offence_category", OffenceCategory, "offending_sentence_offence_valid"
            ),
            # A life sentence or IPP has no set length; every other sentence has one.
            models.CheckConstraint(
                condition=~Q(sentence_type__in=INDETERMINATE)
                | Q(length_months__isnull=True, length_days__isnull=True),
                name="offending_indeterminate_has_no_length",
            ),
            models.CheckConstraint(
                condition=Q(sentence_type__in=INDETERMINATE)
                | Q(length_months__isnull=False)
                | Q(length_days__isnull=False),
                name="offending_determinate_has_a_length",
            ),
        ]
        indexes = [models.Index(fields=["person", "sentenced_on"])]

    def __str__(self) -> str:
        return f"{self.get_sentence_type_display()} on {self.sentenced_on:%-d %B %Y}"

    @property
    def indeterminate(self) -> bool:
        return self.sentence_type in INDETERMINATE

    @property
    def length(self) -> str:
        """The length in words: "18 months", "6 months and 14 days", "Indeterminate"."""
        if self.indeterminate:
            return "Indeterminate"
        parts = []
        if self.length_months:
            parts.append(f"{self.length_months} month{'s' if self.length_months != 1 else ''}")
        if self.length_days:
            parts.append(f"{self.length_days} day{'s' if self.length_days != 1 else ''}")
        return " and ".join(parts) or "Not recorded"

    def clean(self) -> None:
        # A null is refused by the field's own check; this must only not fail on it.
        self.court = (self.court or "").strip()
        self.notes = (self.notes or "").strip()
        errors = _not_in_future(self.sentenced_on, "sentenced_on", "The date of sentence")
        if self.indeterminate and (self.length_months or self.length_days):
            errors["length_months"] = (
                "Leave the length empty for a life sentence or IPP: they have no set length"
            )
        elif not self.indeterminate and not (self.length_months or self.length_days):
            errors["length_months"] = "Enter the length of the sentence in months, days or both"
        if errors:
            raise ValidationError(errors)


# Risk of serious harm and MAPPA -----------------------------------------------------------------


class RoshLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class MappaCategory(models.TextChoices):
    NONE = "none", "Not a MAPPA case"
    CATEGORY_1 = "1", "Category 1"
    CATEGORY_2 = "2", "Category 2"
    CATEGORY_3 = "3", "Category 3"
    CATEGORY_4 = "4", "Category 4"


class MappaLevel(models.TextChoices):
    NONE = "none", "Not managed under MAPPA"
    LEVEL_1 = "1", "Level 1"
    LEVEL_2 = "2", "Level 2"
    LEVEL_3 = "3", "Level 3"


class RiskAssessment(TimestampedModel):
    """Risk of serious harm and MAPPA as assessed on `assessed_on`. Rows are never changed: a
    new assessment supersedes the current one, and the latest is the one that counts."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="risk_assessments")
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        # RESTRICT, not PROTECT: an earlier assessment goes only with the person's whole chain.
        on_delete=models.RESTRICT,
        related_name="superseded_by",
        help_text="The assessment this one replaces. Each is replaced at most once.",
    )
    assessed_on = models.DateField("Date of the assessment")
    rosh_level = models.CharField(
        "Risk of serious harm (RoSH)", max_length=20, choices=RoshLevel.choices
    )
    mappa_category = models.CharField("MAPPA category", max_length=4, choices=MappaCategory.choices)
    mappa_level = models.CharField("MAPPA level", max_length=4, choices=MappaLevel.choices)
    notes = models.TextField("Notes (optional)", blank=True, validators=[MaxLengthValidator(2000)])
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        constraints = [
            _in_choices("rosh_level", RoshLevel, "offending_rosh_level_valid"),
            _in_choices("mappa_category", MappaCategory, "offending_mappa_category_valid"),
            _in_choices("mappa_level", MappaLevel, "offending_mappa_level_valid"),
            # A MAPPA case is managed at a level, and only a MAPPA case has one.
            models.CheckConstraint(
                condition=Q(mappa_category=MappaCategory.NONE, mappa_level=MappaLevel.NONE)
                | (~Q(mappa_category=MappaCategory.NONE) & ~Q(mappa_level=MappaLevel.NONE)),
                name="offending_mappa_level_with_category",
            ),
            # Only the first assessment of a person replaces none; the rest form one chain.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(supersedes__isnull=True),
                name="offending_one_first_risk_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"Risk assessed on {self.assessed_on:%-d %B %Y}"

    @property
    def mappa(self) -> str:
        """MAPPA in words: "Category 2, level 1" or "Not a MAPPA case"."""
        if self.mappa_category == MappaCategory.NONE:
            return MappaCategory.NONE.label
        return f"{self.get_mappa_category_display()}, {self.get_mappa_level_display().lower()}"

    def clean(self) -> None:
        self.notes = (self.notes or "").strip()
        errors = _not_in_future(self.assessed_on, "assessed_on", "The date of the assessment")
        no_category = self.mappa_category == MappaCategory.NONE
        no_level = self.mappa_level == MappaLevel.NONE
        if self.mappa_category and self.mappa_level:
            if no_category and not no_level:
                errors["mappa_level"] = (
                    "Select “not managed under MAPPA”, or choose the MAPPA category"
                )
            elif not no_category and no_level:
                errors["mappa_level"] = "Select the level this MAPPA case is managed at"
        if errors:
            raise ValidationError(errors)


# Licence conditions -----------------------------------------------------------------------------


class LicenceConditionKind(models.TextChoices):
    STANDARD = "standard", "Standard condition"
    ADDITIONAL = "additional", "Additional condition"
    EXCLUSION_ZONE = "exclusion_zone", "Exclusion zone"
    NON_CONTACT = "non_contact", "No contact"
    CURFEW = "curfew", "Curfew"
    RESIDENCE = "residence", "Residence"
    OTHER = "other", "Other"


class LicenceCondition(TimestampedModel):
    """One condition of a licence, from `starts_on` (the release, often) until it is ended: it
    is then kept with its end date, not deleted. `version` counts changes, so an end made on
    a condition someone else has changed since is refused rather than lost."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="licence_conditions")
    kind = models.CharField(
        "Type of condition", max_length=20, choices=LicenceConditionKind.choices
    )
    wording = models.TextField("Wording of the condition", validators=[MaxLengthValidator(1000)])
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("End date", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            _in_choices("kind", LicenceConditionKind, "offending_licence_condition_kind_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="offending_licence_condition_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%-d %B %Y}"

    def live_on(self, day: date) -> bool:
        """Still in force (or still to start) on `day`: not ended on or before it."""
        return self.ends_on is None or self.ends_on > day

    def clean(self) -> None:
        self.wording = (self.wording or "").strip()
        errors: dict[str, str] = {}
        if not self.wording:
            errors["wording"] = "Enter the wording of the condition"
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = (
                f"The end date must be on or after the start, {self.starts_on:%-d %B %Y}"
            )
        if errors:
            raise ValidationError(errors)
