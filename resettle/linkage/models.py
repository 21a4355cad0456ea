"""Record linkage: runs of the model over a partnership's person records, the pairs it scored,
the cluster (the partnership's "same person" id) it gave each record, and reviewers' decisions,
which outlive runs and override the model on the next one; and which record each row of an
organisation's imported files made."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Membership, Organisation
from resettle.core.models import TimestampedModel
from resettle.linkage.matching import DEFAULT_LOWER, DEFAULT_UPPER
from resettle.partnerships.models import Partnership
from resettle.people.models import Person


class RunState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


ACTIVE = (RunState.QUEUED, RunState.RUNNING)


class RunKind(models.TextChoices):
    FULL = "full", "Full: every record, model trained again"
    INCREMENTAL = "incremental", "Incremental: new and changed records"


class LinkageRun(TimestampedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    # Empty for a run started from the command line or by a schedule.
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Per cent done."
    )
    stage = models.CharField(max_length=100, blank=True)
    upper_threshold = models.FloatField(
        default=DEFAULT_UPPER, help_text="Match weight at or above which pairs link unreviewed."
    )
    lower_threshold = models.FloatField(
        default=DEFAULT_LOWER, help_text="Match weight below which pairs are ignored."
    )
    # records, pairs, linked, review, clusters, kept_apart, chained_found_different, seconds,
    # trained, notes.
    figures = models.JSONField(default=dict, blank=True)
    # The Splink model (settings with the trained m and u), kept so a run can be explained and
    # the same model used again.
    model = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Incremental runs score only the records added or changed since the previous finished run
    # (`based_on`) with its model, and carry over its other pairs; see services.
    kind = models.CharField(max_length=12, choices=RunKind.choices, default=RunKind.FULL)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    records_linked = models.PositiveIntegerField(
        default=0,
        help_text="Records scored against the rest: all on a full run, new and changed ones on "
        "an incremental run.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RunState.values), name="linkage_run_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RunKind.values), name="linkage_run_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(upper_threshold__gt=F("lower_threshold")),
                name="linkage_run_thresholds_in_order",
            ),
            # One run under way at a time for each partnership.
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(state__in=ACTIVE),
                name="linkage_run_one_under_way",
            ),
        ]

    def __str__(self) -> str:
        return f"Linkage run for {self.partnership} ({self.get_state_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.state in (RunState.DONE, RunState.FAILED)


class PairStatus(models.TextChoices):
    LINKED = "linked", "Linked by the model"
    REVIEW = "review", "To review"
    ACCEPTED = "accepted", "Same person (reviewed)"
    REJECTED = "rejected", "Different people (reviewed)"
    UNSURE = "unsure", "Not sure (reviewed)"


class Decision(models.TextChoices):
    ACCEPT = "accept", "Same person"
    REJECT = "reject", "Different people"
    UNSURE = "unsure", "Not sure"


DECISION_STATUS = {
    Decision.ACCEPT: PairStatus.ACCEPTED,
    Decision.REJECT: PairStatus.REJECTED,
    Decision.UNSURE: PairStatus.UNSURE,
}


class LinkPair(TimestampedModel):
    """Two records a run scored at or above its lower threshold. `left` is the record with the
    smaller id, so a pair is stored once."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="pairs")
    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    match_weight = models.FloatField()
    match_probability = models.FloatField()
    # Field -> how it agreed; fields that disagreed.
    agreed = models.JSONField(default=dict)
    disagreed = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices)

    class Meta:
        ordering = ["-match_weight"]
        indexes = [models.Index(fields=["run", "status", "match_weight"])]
        constraints = [
            models.UniqueConstraint(fields=["run", "left", "right"], name="link_pair_once"),
            models.CheckConstraint(
                condition=Q(status__in=PairStatus.values), name="link_pair_status_valid"
            ),
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="link_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.match_weight:.1f})"


class PairDecision(TimestampedModel):
    """A reviewer's answer about two records, kept across runs: the next run follows it
    whatever the model scores (the latest answer counts)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "left", "right"], name="pair_decision_once"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="pair_decision_valid"
            ),
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="pair_decision_ordered"),
        ]


class PersonLink(TimestampedModel):
    """The cluster a run gave one person record: every record of the same person shares a
    cluster id (the smallest record id among them, so a record alone is its own cluster)."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    cluster_id = models.UUIDField()
    # The strongest link holding the record in its cluster; empty for a record alone.
    match_weight = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="person_link_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "cluster_id"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.cluster_id}"


SOURCE_ID_MAX_LENGTH = 100


class SourceRecord(TimestampedModel):
    """Which person record an organisation's import made from a row of its own system, by that
    system's id for the row, so that importing the file again updates the record it made rather
    than adding another."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source_id = models.CharField(max_length=SOURCE_ID_MAX_LENGTH)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="source_records")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "source_id"], name="source_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.person_id}"
