from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from resettle.access.categories import NEVER_SHARED_BEYOND, Category
from resettle.accounts.models import Organisation, OrganisationKind
from resettle.core.models import TimestampedModel

# A follow-up is an outcome review (three, six or twelve months on); a year and a little over.
MAX_FOLLOW_UP_DAYS = 400


class Partnership(TimestampedModel):
    """Organisations that agree to work together and share information under agreements."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    organisations = models.ManyToManyField(Organisation, related_name="partnerships")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6 bases a sharing agreement may rest on. Only `consent` needs the
    person's own consent before sharing; the others rest on the agreement itself."""

    CONSENT = "consent", "Consent"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (statutory duty)"
    PUBLIC_TASK = "public_task", "Public task"
    VITAL_INTERESTS = "vital_interests", "Vital interests"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"


class PermittedExport(models.TextChoices):
    """Files that leave the partnership, which an agreement must name before anyone may make
    them: the Justice Data Lab's cohort file goes to the Ministry of Justice, an evaluator
    extract to the evaluator the agreement names."""

    JUSTICE_DATA_LAB = "justice_data_lab", "Justice Data Lab cohort file"
    EVALUATOR_EXTRACT = "evaluator_extract", "Pseudonymised extract for the named evaluator"


class SharingAgreement(TimestampedModel):
    """An information-sharing agreement: within a partnership, which organisations (named, or
    every organisation of the named kinds) may receive which data categories, why, and when."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="sharing_agreements"
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="owned_agreements",
        help_text="The organisation whose admin manages this agreement.",
    )
    title = models.CharField(max_length=200)
    document_reference = models.CharField(max_length=200)
    purpose = models.TextField(max_length=2000)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    categories = models.JSONField(default=list, help_text="Data category values.")
    recipient_kinds = models.JSONField(
        default=list, blank=True, help_text="Organisation kind values."
    )
    recipient_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="received_agreements"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="The first day the agreement no longer applies."
    )
    covers_children = models.BooleanField(
        default=False,
        help_text="Whether these categories of children's records (under 18) are shared too. "
        "Without it they stay with family services.",
    )
    follow_up_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_FOLLOW_UP_DAYS)],
        help_text="Days after an organisation stops working with a person during which it may "
        "still read their identity and contact details, for outcome follow-ups. None: access "
        "ends with the work.",
    )
    permitted_exports = models.JSONField(
        default=list,
        blank=True,
        help_text="PermittedExport values: the files this agreement allows to be made.",
    )
    evaluator = models.CharField(
        max_length=200,
        blank=True,
        help_text="The external evaluator an evaluator extract may go to.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="agreement_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(lawful_basis__in=LawfulBasis.values), name="agreement_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if not self.categories:
            errors["categories"] = "Choose at least one data category"
        elif set(self.categories) - set(Category.values):
            errors["categories"] = "Choose data categories from the list"
        if set(self.recipient_kinds) - set(OrganisationKind.values):
            errors["recipient_kinds"] = "Choose organisation kinds from the list"
        for category, kinds in NEVER_SHARED_BEYOND.items():
            if category in self.categories and set(self.recipient_kinds) - kinds:
                errors["categories"] = (
                    f"{Category(category).label} can only be shared with "
                    + ", ".join(OrganisationKind(k).label.lower() for k in sorted(kinds))
                )
        if set(self.permitted_exports) - set(PermittedExport.values):
            errors["permitted_exports"] = "Choose files from the list"
        if PermittedExport.EVALUATOR_EXTRACT in self.permitted_exports and not self.evaluator:
            errors["evaluator"] = "Enter the evaluator the extract may go to"
        if self.evaluator and PermittedExport.EVALUATOR_EXTRACT not in self.permitted_exports:
            errors["evaluator"] = "Name an evaluator only when an evaluator extract is allowed"
        if self.ends_on and self.starts_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The end date must be after the start date"
        if errors:
            raise ValidationError(errors)

    def is_in_force(self, on: date | None = None) -> bool:
        on = on or date.today()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)
