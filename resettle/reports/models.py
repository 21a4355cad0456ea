"""Reports built by the task worker (a partnership's quarterly return at national scale takes
minutes): each build with its progress, and once done the report itself, already suppressed as
the person who asked may see it, kept so they can come back to it. Scheduled builds (the
quarterly return of every partnership) are asked for by nobody and belong to no organisation."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Membership, Organisation
from resettle.core.models import TimestampedModel
from resettle.reports.periods import Period, quarter_bounds


class ScopeKind(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    PARTNERSHIP = "partnership", "Partnership"


class BuildState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


ACTIVE = (BuildState.QUEUED, BuildState.RUNNING)
# What makes two builds the same build: asking again while one is under way gets that one.
SAME_BUILD = ["kind", "scope_kind", "scope_id", "period_start", "period_end", "exact"]


class ReportBuild(TimestampedModel):
    kind = models.CharField(max_length=40, help_text="The report's slug (reports/kinds.py).")
    scope_kind = models.CharField(max_length=20, choices=ScopeKind.choices)
    scope_id = models.CharField(max_length=64)
    scope_name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    quarter = models.CharField(max_length=7, blank=True)
    # Exact figures only for the asker's own organisation; otherwise small numbers are hidden.
    exact = models.BooleanField(default=False)
    # Both empty for a scheduled build. A build is derived, and can be made again: it goes with
    # its organisation, and outlives the membership of whoever asked.
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=BuildState.choices, default=BuildState.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Per cent done."
    )
    # The section of the report being counted, while it is built.
    stage = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The report as figures.report_to_json makes it; only a finished build has one.
    result = models.JSONField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=BuildState.values), name="report_build_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope_kind__in=ScopeKind.values), name="report_build_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_build_period_order"
            ),
            models.CheckConstraint(
                condition=(Q(state=BuildState.DONE) & Q(result__isnull=False))
                | (~Q(state=BuildState.DONE) & Q(result__isnull=True)),
                name="report_build_result_only_when_done",
            ),
            # One build under way at a time for the same report, for each organisation asking
            # (a build is seen only by the organisation that asked), and one scheduled one.
            models.UniqueConstraint(
                fields=[*SAME_BUILD, "organisation"],
                condition=Q(state__in=ACTIVE, organisation__isnull=False),
                name="report_build_one_under_way",
            ),
            models.UniqueConstraint(
                fields=SAME_BUILD,
                condition=Q(state__in=ACTIVE, organisation__isnull=True),
                name="report_build_one_scheduled_under_way",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.scope_name} ({self.get_state_display().lower()})"

    @property
    def is_scheduled(self) -> bool:
        return self.organisation_id is None

    @property
    def period(self) -> Period:
        to_date = bool(self.quarter) and self.period_end < quarter_bounds(self.quarter)[1]
        return Period(
            start=self.period_start, end=self.period_end, quarter=self.quarter, to_date=to_date
        )

    @property
    def finished(self) -> bool:
        return self.state in (BuildState.DONE, BuildState.FAILED)
