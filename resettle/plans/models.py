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
