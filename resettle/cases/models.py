"""Cases (DESIGN glossary): one organisation's episode of support for a person. On recall a
case is paused, never closed or reset; it resumes on release. History stays on one record as
`CaseEvent` rows."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.core.pathways import Pathway
from resettle.people.models import Person


class CaseState(models.TextChoices):
    OPEN = "open", "Open"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", "Support complete: goals met"
    MOVED_ON = "moved_on", "Moved on to other support"
    DISENGAGED = "disengaged", "Stopped engaging"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    PERSON_ASKED = "person_asked", "The person asked to stop"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class Case(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_as_worker",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_as_mentor",
    )
    # The referral this case came from, when it did.
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CaseState.values), name="case_state_valid"
            ),
            # One live (open or paused) case per person per organisation.
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=~Q(state="closed"),
                name="case_one_live_per_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | (Q(closed_on__isnull=False) & ~Q(close_reason="")),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"]),
            # A worker's (or mentor's) own cases are asked for within one organisation: with
            # the organisation in these indexes, PostgreSQL no longer ANDs in the organisation
            # index (hundreds of thousands of cases) to find a worker's few dozen.
            models.Index(fields=["worker", "organisation", "state"], name="case_worker_idx"),
            # Partial, so the planner's statistics count only mentored cases: most cases have
            # no mentor, and counting their nulls made a mentor look like thousands of cases,
            # so SQLite read the whole organisation's cases for a worker's own ones.
            models.Index(
                fields=["mentor", "organisation", "state"],
                condition=Q(mentor__isnull=False),
                name="case_mentor_state_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.person}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    ALLOCATED = "allocated", "Worker or mentor allocated"
    REVIEWED = "reviewed", "Reviewed"


class CaseEvent(TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])

    class Meta:
        ordering = ["on", "created_at"]


class TaskKind(models.TextChoices):
    GATE_MEETING = "gate_meeting", "Gate meeting"
    REVIEW = "review", "Case review"
    PRE_RELEASE = "pre_release", "Pre-release checklist item"
    APPOINTMENT = "appointment", "Appointment"
    OTHER = "other", "Other"


class TaskState(models.TextChoices):
    """Where a task stands, from its dates: not stored, so it can never disagree with them."""

    TO_DO = "to_do", "To do"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(TimestampedModel):
    """Something someone must do for a case by a time (a gate meeting at 8am at the gate)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    pathway = models.CharField(max_length=30, choices=Pathway.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["assigned_to", "due_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> TaskState:
        if self.cancelled_at is not None:
            return TaskState.CANCELLED
        if self.completed_at is not None:
            return TaskState.DONE
        return TaskState.TO_DO
