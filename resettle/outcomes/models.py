"""Outcomes (DESIGN §11): versioned instruments, the assessments people answer with them at
each time point, the schedule saying which are due when, and what came of each goal when
support ended. Rows are added, never rewritten: an answer stays with the version it was given
on, so reports compare like with like."""

from functools import cached_property

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from resettle.accounts.models import Organisation
from resettle.cases.models import Case, CloseReason
from resettle.core.models import TimestampedModel
from resettle.directory.models import Service
from resettle.outcomes.definitions import Definition, parse_definition
from resettle.people.models import Person
from resettle.plans.models import Goal


class Instrument(TimestampedModel):
    """One version of an instrument, as loaded from its file. The definition is the file's
    JSON; a version that has answers is never changed, a change is a new version."""

    code = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    definition = models.JSONField()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @cached_property
    def parsed(self) -> Definition:
        return parse_definition(self.definition, f"{self.code} version {self.version}")


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    REVIEW = "review", "Review"
    EXIT = "exit", "Exit"
    FOLLOW_UP_3M = "follow_up_3m", "Follow-up at 3 months"
    FOLLOW_UP_6M = "follow_up_6m", "Follow-up at 6 months"
    FOLLOW_UP_12M = "follow_up_12m", "Follow-up at 12 months"


# Months after support ends that each follow-up is due.
FOLLOW_UP_MONTHS = {
    Timepoint.FOLLOW_UP_3M: 3,
    Timepoint.FOLLOW_UP_6M: 6,
    Timepoint.FOLLOW_UP_12M: 12,
}


class AnsweredBy(models.TextChoices):
    PERSON = "person", "The person"
    WORKER = "worker", "Their worker, on their behalf"
    PROXY = "proxy", "Someone else for them (a proxy)"


class Assessment(TimestampedModel):
    """A person's answers to one instrument version at one time point."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    # A follow-up after support ended stays on the closed case: it is not reopened.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    completed_on = models.DateField()
    answered_by = models.CharField(max_length=10, choices=AnsweredBy.choices)
    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict, blank=True)
    bands = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["completed_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(timepoint__in=Timepoint.values), name="assessment_timepoint_valid"
            ),
            models.CheckConstraint(
                condition=Q(answered_by__in=AnsweredBy.values),
                name="assessment_answered_by_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "instrument", "completed_on"]),
            models.Index(fields=["organisation", "service", "timepoint"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name}, {self.get_timepoint_display().lower()}"


class Schedule(TimestampedModel):
    """Which instruments an organisation's service asks, and when: at the start (baseline),
    every so many weeks, at exit, and months after support ends. One without a service is the
    organisation's own for cases that came by no referral to one of its services."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instrument_codes = models.JSONField(default=list)
    review_every_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    at_exit = models.BooleanField(default=True)
    follow_up_months = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service"], name="schedule_one_per_service"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(service__isnull=True),
                name="schedule_one_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome schedule for {self.service or self.organisation}"


class EndingReason(models.TextChoices):
    COMPLETED = "completed", "Support complete"
    MOVED_ON = "moved_on", "Moved on to other support"
    DISENGAGED = "disengaged", "Stopped engaging"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    PERSON_ASKED = "person_asked", "The person asked to stop"
    RECALLED = "recalled", "Recalled or back in custody"
    DIED = "died", "Died"
    OTHER = "other", "Other"


# The reason a case was closed, as the reason support ended (asked again, as the person says it).
ENDING_FROM_CLOSE: dict[str, str] = {
    CloseReason.GOALS_MET: EndingReason.COMPLETED,
    CloseReason.MOVED_ON: EndingReason.MOVED_ON,
    CloseReason.DISENGAGED: EndingReason.DISENGAGED,
    CloseReason.MOVED_AWAY: EndingReason.MOVED_AWAY,
    CloseReason.PERSON_ASKED: EndingReason.PERSON_ASKED,
    CloseReason.DIED: EndingReason.DIED,
    CloseReason.OTHER: EndingReason.OTHER,
}


class GoalRating(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class EndOfSupport(TimestampedModel):
    """What came of a case when it closed: why support ended, in a code, and in the person's
    own words what helped."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="end_of_support")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=EndingReason.choices)
    in_own_words = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=EndingReason.values), name="end_of_support_reason_valid"
            )
        ]

    def __str__(self) -> str:
        return f"End of support: {self.get_reason_display()}"


class GoalOutcome(TimestampedModel):
    end_of_support = models.ForeignKey(
        EndOfSupport, on_delete=models.CASCADE, related_name="goal_outcomes"
    )
    goal = models.OneToOneField(Goal, on_delete=models.PROTECT, related_name="outcome")
    rating = models.CharField(max_length=20, choices=GoalRating.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["goal__pathway", "goal__created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__in=GoalRating.values), name="goal_outcome_rating_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_rating_display()}"
