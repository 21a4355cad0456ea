"""Peer mentors with lived experience: who they are as a mentor, so a mentee can be matched with
someone suitable, and their checks, which must be in date to take on a mentee."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Organisation
from resettle.cases.models import Case
from resettle.core.models import TimestampedModel
from resettle.people.models import Person


class LivedExperience(models.TextChoices):
    """Experience a mentor has lived through, and a mentee may value in a mentor."""

    CUSTODY = "custody", "Prison and release"
    RECALL = "recall", "Recall to prison"
    SUBSTANCE_USE = "substance_use", "Drug or alcohol recovery"
    HOMELESSNESS = "homelessness", "Homelessness"
    MENTAL_HEALTH = "mental_health", "Mental health"
    CARE_EXPERIENCE = "care_experience", "Growing up in care"
    PARENTING = "parenting", "Being a parent in or after prison"
    EMPLOYMENT = "employment", "Finding work after prison"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"


def validate_lived_experience(value) -> None:
    if not isinstance(value, list) or any(v not in LivedExperience.values for v in value):
        raise ValidationError("Choose lived experience from the list")


def validate_words(value) -> None:
    """Languages and interests: a short list of short words or phrases."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Enter a list of words")
    if len(value) > 20:
        raise ValidationError("Enter 20 or fewer")
    if any(len(v) > 40 for v in value):
        raise ValidationError("Each must be 40 characters or fewer")


class MentorGender(models.TextChoices):
    """How a mentor describes their gender, and what a mentee may prefer."""

    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"


def labels_of(choices: type[models.TextChoices], values: list[str]) -> list[str]:
    """Labels for stored codes; a code no longer in the choices shows as itself."""
    return [choices(v).label if v in choices.values else v for v in values]


class MentorProfile(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_profiles"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mentor_profiles"
    )
    # Lived-experience areas, languages and interests are lists of short codes or words.
    lived_experience = models.JSONField(
        default=list, blank=True, validators=[validate_lived_experience]
    )
    gender = models.CharField(max_length=30, blank=True)
    languages = models.JSONField(default=list, blank=True, validators=[validate_words])
    area = models.CharField(max_length=100, blank=True, help_text="Postcode districts or town.")
    interests = models.JSONField(default=list, blank=True, validators=[validate_words])
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

    @property
    def gender_label(self) -> str:
        return labels_of(MentorGender, [self.gender])[0] if self.gender else ""

    @property
    def lived_experience_labels(self) -> list[str]:
        return labels_of(LivedExperience, self.lived_experience)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.dbs_checked_on and self.dbs_checked_on > date.today():
            errors["dbs_checked_on"] = "The date of the DBS check must be today or in the past"
        if (
            self.dbs_checked_on
            and self.dbs_expires_on
            and self.dbs_expires_on <= self.dbs_checked_on
        ):
            errors["dbs_expires_on"] = "The DBS expiry date must be after the date of the check"
        if self.dbs_expires_on and not self.dbs_checked_on:
            errors["dbs_checked_on"] = "Enter the date of the DBS check"
        if self.training_completed_on and self.training_completed_on > date.today():
            errors["training_completed_on"] = (
                "The date training was completed must be today or in the past"
            )
        if errors:
            raise ValidationError(errors)

    def check_problems(self, on: date | None = None) -> list[str]:
        """Why this mentor may not take on a mentee without an override, in words."""
        on = on or date.today()
        problems = []
        if self.training_completed_on is None:
            problems.append("Mentor training has not been recorded")
        if self.dbs_expires_on is None:
            problems.append("No DBS check has been recorded")
        elif self.dbs_expires_on <= on:
            problems.append(f"The DBS check expired on {self.dbs_expires_on:%-d %B %Y}")
        return problems

    def checks_in_date(self, on: date | None = None) -> bool:
        on = on or date.today()
        return (
            self.training_completed_on is not None
            and self.dbs_expires_on is not None
            and self.dbs_expires_on > on
        )


class MenteePreferences(TimestampedModel):
    """What a person would like in a mentor, as the mentoring organisation recorded it with
    them. Matching respects a gender preference strictly; the rest ranks mentors."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    preferred_gender = models.CharField(
        "Mentor gender they would prefer",
        max_length=20,
        choices=MentorGender.choices,
        blank=True,
        help_text="Only mentors of this gender will be suggested",
    )
    languages = models.JSONField(default=list, blank=True, validators=[validate_words])
    interests = models.JSONField(default=list, blank=True, validators=[validate_words])
    lived_experience = models.JSONField(
        default=list, blank=True, validators=[validate_lived_experience]
    )
    area = models.CharField(
        "Where they will live or want to meet",
        max_length=100,
        blank=True,
        help_text="A town or postcode district, for example Millbrook or NR4",
    )
    notes = models.TextField(
        "Anything else about the mentor they want (optional)",
        blank=True,
        validators=[MaxLengthValidator(500)],
        help_text="Do not include anything about offences",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="mentee_preferences_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(preferred_gender="") | Q(preferred_gender__in=MentorGender.values),
                name="mentee_preferences_gender_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentor preferences of {self.person}"

    @property
    def lived_experience_labels(self) -> list[str]:
        return labels_of(LivedExperience, self.lived_experience)


class AllocationEndReason(models.TextChoices):
    COMPLETED = "completed", "Mentoring complete"
    PERSON_ASKED = "person_asked", "The person asked to stop"
    NOT_ENGAGING = "not_engaging", "The person stopped engaging"
    MENTOR_LEFT = "mentor_left", "The mentor left or stepped back"
    NOT_A_GOOD_MATCH = "not_a_good_match", "Not a good match"
    REALLOCATED = "reallocated", "Moved to another mentor"
    OTHER = "other", "Other"


class MentorAllocation(TimestampedModel):
    """One mentor mentoring one person on the mentoring organisation's case, from start to end.
    Rows are never deleted: reallocating ends one and starts the next, so the history stays."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mentor_allocations")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=AllocationEndReason.choices, blank=True)
    end_note = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    # Why a manager allocated despite the mentor being full or their checks out of date.
    override_reason = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(ended_on__isnull=True),
                name="mentor_allocation_one_current_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="mentor_allocation_dates_in_order",
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & Q(end_reason__in=AllocationEndReason.values)),
                name="mentor_allocation_end_reason_when_ended",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.mentor} mentoring on {self.case}"

    @property
    def current(self) -> bool:
        return self.ended_on is None


class SupervisionNote(TimestampedModel):
    """A manager's note of supervising a mentor. About the mentor, never a mentee: it is not a
    case note, and only the mentor's organisation's managers and the mentor read it."""

    mentor = models.ForeignKey(
        MentorProfile, on_delete=models.PROTECT, related_name="supervision_notes"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField("Date of the supervision")
    note = models.TextField(
        "What was discussed and agreed",
        validators=[MaxLengthValidator(4000)],
        help_text="About the mentor's wellbeing, training and practice. "
        "Record anything about a mentee in their case notes instead",
    )

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"Supervision of {self.mentor} on {self.held_on}"
