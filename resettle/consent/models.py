from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from resettle.access.categories import Category
from resettle.accounts.models import Organisation, OrganisationKind
from resettle.core.models import TimestampedModel
from resettle.people.models import Person


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbally"
    WRITTEN = "written", "In writing"
    DIGITAL = "digital", "Digitally"


class ConsentGivenBy(models.TextChoices):
    """Who gave consent. For a child it must be someone with parental responsibility, or the
    child after an assessment that they are competent to decide (Gillick competence)."""

    PERSON = "person", "The person themselves"
    PARENTAL_RESPONSIBILITY = "parental_responsibility", "Someone with parental responsibility"
    COMPETENCE_ASSESSED = "competence_assessed", "The child, assessed as competent to decide"


class Consent(TimestampedModel):
    """A person's consent to share categories of their record with organisations (named, or of
    the named kinds). Withdrawal is recorded, never deleted, and takes effect at once."""

    # Set for display by the consent pages (consent/views.py); not stored.
    category_labels: list[str]
    kind_labels: list[str]

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    categories = models.JSONField(default=list, help_text="Data category values.")
    organisation_kinds = models.JSONField(default=list, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    given_by = models.CharField(max_length=30, choices=ConsentGivenBy.choices)
    given_by_name = models.CharField(
        max_length=200, blank=True, help_text="Who gave it, when not the person themselves."
    )
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])

    class Meta:
        ordering = ["-given_on"]
        indexes = [models.Index(fields=["person", "withdrawn_on", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent of {self.person} given {self.given_on}"

    def clean(self) -> None:
        errors = {}
        if not self.categories:
            errors["categories"] = "Choose at least one kind of information"
        elif set(self.categories) - set(Category.values):
            errors["categories"] = "Choose kinds of information from the list"
        if set(self.organisation_kinds) - set(OrganisationKind.values):
            errors["organisation_kinds"] = "Choose kinds of organisation from the list"
        needs_name = self.given_by == ConsentGivenBy.PARENTAL_RESPONSIBILITY
        if needs_name and not self.given_by_name.strip():
            errors["given_by_name"] = "Enter the name of the person with parental responsibility"
        if self.person_id and self.person.is_child and self.given_by == ConsentGivenBy.PERSON:
            errors["given_by"] = (
                "A child's consent needs someone with parental responsibility, "
                "or an assessment that the child is competent to decide"
            )
        if self.expires_on and self.given_on and self.expires_on <= self.given_on:
            errors["expires_on"] = "The expiry date must be after the date consent was given"
        if self.given_on and self.given_on > date.today():
            errors["given_on"] = "The date consent was given must be today or in the past"
        if errors:
            raise ValidationError(errors)

    def is_current(self, on: date | None = None) -> bool:
        on = on or date.today()
        return (
            self.given_on <= on
            and (self.expires_on is None or self.expires_on > on)
            and (self.withdrawn_on is None or self.withdrawn_on > on)
        )
