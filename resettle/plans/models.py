"""Action plans (DESIGN glossary): what the person wants to achieve on a pathway, in their own
words where possible, with steps, owners and progress over time."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from resettle.cases.models import Case
from resettle.core.models import TimestampedModel
from resettle.core.pathways import Pathway
from resettle.people.models import Person


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    DECLINED = "declined", "Declined by the person"


class Goal(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="goals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="goals")
    pathway = models.CharField(max_length=30, choices=Pathway.choices)
    title = models.CharField(max_length=200)
    in_own_words = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    barriers = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pathway", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="goal_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return self.title


class StepOwner(models.TextChoices):
    PERSON = "person", "The person"
    WORKER = "worker", "Their worker or mentor"
    PARTNER = "partner", "A partner organisation"


class GoalStep(TimestampedModel):
    """One thing to do towards a goal, and who does it: the person, their worker, or a partner
    organisation (responsibility is never only "prison" or "probation")."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(max_length=300)
    owner_kind = models.CharField(max_length=10, choices=StepOwner.choices)
    owner_name = models.CharField(max_length=200, blank=True)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["done_on", "due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_kind__in=StepOwner.values), name="goal_step_owner_valid"
            ),
            models.CheckConstraint(
                condition=~Q(owner_kind="partner")
                | Q(owner_organisation__isnull=False)
                | ~Q(owner_name=""),
                name="goal_step_partner_named",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def done(self) -> bool:
        return self.done_on is not None

    @property
    def owner_label(self) -> str:
        if self.owner_kind == StepOwner.PARTNER:
            return str(self.owner_organisation or self.owner_name)
        label = self.get_owner_kind_display()
        return f"{label} ({self.owner_name})" if self.owner_name else label


class GoalUpdate(TimestampedModel):
    """Progress on a goal, dated: a note, a status change or both. Rows are only ever added, so
    the history of a goal is never overwritten (not even on recall)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status_from = models.CharField(max_length=20, choices=GoalStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=GoalStatus.choices, blank=True)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])

    class Meta:
        ordering = ["-on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status_to="") | ~Q(note=""), name="goal_update_says_something"
            ),
        ]

    @property
    def changes_status(self) -> bool:
        return bool(self.status_to) and self.status_to != self.status_from


class PlanReview(TimestampedModel):
    """A review of a person's action plan with them: when, by whom, what was agreed, and when
    the next one is due."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="plan_reviews")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_reviews")
    reviewed_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(validators=[MaxLengthValidator(4000)])
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__isnull=True)
                | Q(next_review_on__gt=models.F("reviewed_on")),
                name="plan_review_next_after",
            ),
        ]
