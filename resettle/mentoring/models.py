"""Peer mentors with lived experience: who they are as a mentor, so a mentee can be matched with
someone suitable, and their checks, which must be in date to take on a mentee."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel


class MentorProfile(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_profiles"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mentor_profiles"
    )
    # Lived-experience areas, languages and interests are lists of short codes or words.
    lived_experience = models.JSONField(default=list, blank=True)
    gender = models.CharField(max_length=30, blank=True)
    languages = models.JSONField(default=list, blank=True)
    area = models.CharField(max_length=100, blank=True, help_text="Postcode districts or town.")
    interests = models.JSONField(default=list, blank=True)
    availability = models.TextField(blank=True, validators=[MaxLengthValidator(500)])
    capacity = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(30)])
    training_completed_on = models.DateField(null=True, blank=True)
    dbs_checked_on = models.DateField(null=True, blank=True)
    dbs_expires_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="mentor_profile_one_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    def checks_in_date(self, on: date | None = None) -> bool:
        on = on or date.today()
        return (
            self.training_completed_on is not None
            and self.dbs_expires_on is not None
            and self.dbs_expires_on > on
        )
