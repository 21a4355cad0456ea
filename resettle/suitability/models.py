"""Suitability assessments: the answer to partners who turned referrals away because they could
not see enough about risk (seed 000), without telling them about offences.

An assessing organisation (probation, prison or the lead charity) records structured answers a
delivery partner can act on. There is deliberately no field for offence or risk narrative, so no
route can ever show one. Rows are never changed: a new assessment supersedes the previous one
(`supersedes`), and the latest is the one that counts.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.people.models import Person


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    YES_WITH_MEASURES = "yes_with_measures", "Yes, with the measures below"
    NO = "no", "No"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


# "May they ...?" questions, answered yes, no or yes with measures; in the order pages show them.
ANSWER_FIELDS = (
    "group_sessions_with_adults",
    "sessions_with_under_18s_present",
    "sessions_with_vulnerable_adults_present",
    "one_to_one_sessions",
)
YES_NO_FIELDS = ("two_staff_needed", "named_contact_restriction")
# What partners see in place of the names: only the assessor's organisation sees who.
RESTRICTION_APPLIES = "Restriction applies: ask the assessor"


def one_year_after(day: date) -> date:
    """The same date next year; 29 February gives 28 February, keeping within 12 months."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 2, 28)


def _answer_field(question: str) -> models.CharField:
    return models.CharField(question, max_length=20, choices=Answer.choices)


def _in_choices(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=f"suitability_{field}_valid"
    )


class SuitabilityAssessment(TimestampedModel):
    """One assessment of what a person may take part in, as of `assessed_on`, until `review_on`."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="suitability_assessments"
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        # RESTRICT, not PROTECT: an earlier assessment goes only with the person's whole chain.
        on_delete=models.RESTRICT,
        related_name="superseded_by",
        help_text="The assessment this one replaces. Each is replaced at most once.",
    )
    # Null only once the assessor's account is deleted; the organisation and contact remain.
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField("Date of the assessment")
    review_on = models.DateField("Review date")
    assessor_contact = models.CharField(
        "How partners can reach you",
        max_length=200,
        help_text="A phone number or email address partners can use to ask about this assessment",
    )
    group_sessions_with_adults = _answer_field("May attend group sessions with adults")
    sessions_with_under_18s_present = _answer_field(
        "May attend group sessions where under-18s are present"
    )
    sessions_with_vulnerable_adults_present = _answer_field(
        "May attend group sessions where vulnerable adults are present"
    )
    one_to_one_sessions = _answer_field("May have one-to-one sessions with staff")
    two_staff_needed = models.CharField("Two staff needed", max_length=3, choices=YesNo.choices)
    areas_to_avoid = models.TextField(
        "Areas or places to avoid",
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text="For example, the town centre of Millbrook. Leave empty if there are none",
    )
    measures = models.TextField(
        "What partners should do",
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text="The measures a partner should put in place. Needed when any answer is "
        "“yes, with the measures below”. Do not describe offences or risk",
    )
    named_contact_restriction = models.CharField(
        "Must not be in contact with named people", max_length=3, choices=YesNo.choices
    )
    named_people_to_avoid = models.TextField(
        "Who they must not be in contact with",
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text="Only your organisation will see these names. Partners are told a "
        "restriction applies and to ask you",
    )

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gt=models.F("assessed_on")),
                name="suitability_review_after_assessment",
            ),
            # Only the first assessment of a person replaces none; the rest form one chain.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(supersedes__isnull=True),
                name="suitability_one_first_assessment",
            ),
            models.CheckConstraint(
                condition=Q(named_contact_restriction=YesNo.YES) | Q(named_people_to_avoid=""),
                name="suitability_names_only_with_restriction",
            ),
            *(_in_choices(field, Answer) for field in ANSWER_FIELDS),
            *(_in_choices(field, YesNo) for field in YES_NO_FIELDS),
        ]

    def __str__(self) -> str:
        return f"Suitability of {self.person} assessed {self.assessed_on}"

    @property
    def assessor_name(self) -> str:
        user = self.assessed_by
        if user is None:
            return "A former member of staff"
        return user.get_full_name() or user.get_username()

    def clean(self) -> None:
        self.areas_to_avoid = self.areas_to_avoid.strip()
        self.measures = self.measures.strip()
        self.named_people_to_avoid = self.named_people_to_avoid.strip()
        errors: dict[str, str] = {}
        today = date.today()
        if self.assessed_on and self.assessed_on > today:
            errors["assessed_on"] = "The date of the assessment must be today or in the past"
        if self.review_on and self.assessed_on:
            if self.review_on <= self.assessed_on:
                errors["review_on"] = "The review date must be after the date of the assessment"
            elif self.review_on > one_year_after(self.assessed_on):
                errors["review_on"] = (
                    "The review date must be within 12 months of the date of the assessment"
                )
        # An assessment due for review the day it is recorded would tell partners nothing new.
        if self._state.adding and self.review_on and self.review_on <= today:
            errors.setdefault("review_on", "The review date must be in the future")
        needs_measures = any(getattr(self, f) == Answer.YES_WITH_MEASURES for f in ANSWER_FIELDS)
        if needs_measures and not self.measures:
            errors["measures"] = (
                "Enter what partners should do, as an answer is “yes, with the measures below”"
            )
        if self.named_contact_restriction == YesNo.YES and not self.named_people_to_avoid:
            errors["named_people_to_avoid"] = "Enter who they must not be in contact with"
        if self.named_contact_restriction == YesNo.NO and self.named_people_to_avoid:
            errors["named_people_to_avoid"] = (
                "Remove the names, or answer yes to “must not be in contact with named people”"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def expired(self) -> bool:
        return self.review_on < date.today()


class SuitabilityReviewRequest(TimestampedModel):
    """A partner asking the assessor to review an assessment: a task on the assessor's home
    page until a new assessment of the person is recorded, which marks it done."""

    assessment = models.ForeignKey(
        SuitabilityAssessment, on_delete=models.CASCADE, related_name="review_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(
        "Anything the assessor should know (optional)",
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text="For example, a session you would like them to join. "
        "Do not include anything about offences",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        SuitabilityAssessment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_requests",
        help_text="The new assessment that answered this request.",
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One open request per organisation and assessment: asking twice adds nothing.
            models.UniqueConstraint(
                fields=["assessment", "organisation"],
                condition=Q(done_at__isnull=True),
                name="suitability_one_open_review_request",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.assessment} asked by {self.organisation}"
