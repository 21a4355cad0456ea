"""Sessions, programmes, enrolments and registers: the group activities delivery partners run
(a weekly football session, an 8-week course), who is enrolled in them, and who came.

A session is an occurrence of a service's schedule (or a one-off). A person takes part through
an enrolment in the service (or one of its programmes), made directly when a referral to the
service is accepted: no case is needed. A register holds one attendance row per session and
person; people who turn up to an open session unregistered are a headcount, never people."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.directory.models import Location, Schedule, Service
from resettle.people.models import Person
from resettle.referrals.models import Referral


class CompletionRule(models.TextChoices):
    AT_LEAST = "at_least", "Attend at least a number of the sessions"
    CORE_SESSIONS = "core_sessions", "Attend every core session"


class Programme(TimestampedModel):
    """A course a service runs over a number of sessions, with a rule for completing it and,
    optionally, an award (an OCN Level 2 certificate, say)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=200)
    sessions_planned = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    completion_rule = models.CharField(max_length=20, choices=CompletionRule.choices)
    # "At least N of the sessions planned".
    minimum_attended = models.PositiveSmallIntegerField(null=True, blank=True)
    # "Every core session": the sessions' numbers in the programme (1 is the first).
    core_sessions = models.JSONField(default=list, blank=True)
    award_name = models.CharField(max_length=200, blank=True)
    awarding_body = models.CharField(max_length=200, blank=True)
    award_level = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_planned__gte=1), name="programme_sessions_planned"
            ),
            models.CheckConstraint(
                condition=~Q(completion_rule=CompletionRule.AT_LEAST)
                | (Q(minimum_attended__gte=1) & Q(minimum_attended__lte=F("sessions_planned"))),
                name="programme_minimum_within_planned",
            ),
            models.CheckConstraint(
                condition=Q(completion_rule__in=CompletionRule.values),
                name="programme_completion_rule_valid",
            ),
            models.CheckConstraint(
                condition=~Q(award_name="") | (Q(awarding_body="") & Q(award_level="")),
                name="programme_award_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def completion_rule_text(self) -> str:
        if self.completion_rule == CompletionRule.AT_LEAST:
            return f"Attend at least {self.minimum_attended} of {self.sessions_planned} sessions"
        numbers = ", ".join(str(n) for n in self.core_sessions)
        return f"Attend the core sessions ({numbers}) of {self.sessions_planned}"

    @property
    def award_text(self) -> str:
        parts = [self.award_name, self.award_level, self.awarding_body]
        return ", ".join(p for p in parts if p)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        planned = self.sessions_planned or 0
        if self.completion_rule == CompletionRule.AT_LEAST:
            if not self.minimum_attended or self.minimum_attended > planned:
                errors["minimum_attended"] = (
                    f"Enter how many sessions they must attend, from 1 to {planned}"
                )
        elif self.completion_rule == CompletionRule.CORE_SESSIONS:
            core = self.core_sessions
            if (
                not isinstance(core, list)
                or not core
                or not all(isinstance(n, int) and 1 <= n <= planned for n in core)
            ):
                errors["core_sessions"] = f"Enter the core sessions' numbers, from 1 to {planned}"
            else:
                self.core_sessions = sorted(set(core))
        if not self.award_name and (self.awarding_body or self.award_level):
            errors["award_name"] = "Enter the award's name, or leave its body and level empty"
        if errors:
            raise ValidationError(errors)


class Session(TimestampedModel):
    """One meeting of a service: an occurrence of one of its schedules or a one-off."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sessions")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    # The session's number in its programme (1 for the first), for core sessions.
    programme_session = models.PositiveSmallIntegerField(null=True, blank=True)
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    # The start the schedule gave: with the schedule, what makes generating twice add nothing,
    # and it stays the same when the session is moved.
    scheduled_start = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    place = models.CharField(max_length=200, blank=True)
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    open = models.BooleanField(
        default=False, help_text="Anyone may turn up; otherwise only enrolled people."
    )
    under_18s_present = models.BooleanField(default=False)
    vulnerable_adults_present = models.BooleanField(default=False)
    unregistered_headcount = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    moved_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["service", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_times_in_order"
            ),
            models.UniqueConstraint(
                fields=["schedule", "scheduled_start"],
                condition=Q(schedule__isnull=False),
                name="session_one_per_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(schedule__isnull=True) | Q(scheduled_start__isnull=False),
                name="session_occurrence_has_start",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                name="session_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(open=True) | Q(unregistered_headcount=0),
                name="session_headcount_only_when_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.name}, {self.starts_at:%-d %B %Y %H:%M}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def where(self) -> str:
        return self.place or (self.location.name if self.location else "")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The session must end after it starts"
        if self.programme is not None and self.programme.service_id != self.service_id:
            errors["programme"] = "Choose a programme of this service"
        if not self.open and self.unregistered_headcount:
            errors["unregistered_headcount"] = "Only an open session has a headcount"
        if errors:
            raise ValidationError(errors)


class EnrolmentState(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrolment(TimestampedModel):
    """A person taking part in a service's sessions (or one of its programmes), without a case."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="enrolments")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments"
    )
    # RESTRICT: a referral goes only with its person (whose enrolments go too).
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.RESTRICT, related_name="enrolments"
    )
    state = models.CharField(
        max_length=20, choices=EnrolmentState.choices, default=EnrolmentState.ENROLLED
    )
    enrolled_on = models.DateField()
    # Why someone was enrolled without a referral (they turned up to an open session, say).
    reason = models.CharField(max_length=500, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_on = models.DateField(null=True, blank=True)
    award_achieved_on = models.DateField(null=True, blank=True)
    completion_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_on = models.DateField(null=True, blank=True)
    withdraw_reason = models.CharField(max_length=500, blank=True)
    # An enrolment a suitability restriction would refuse, confirmed by the assessor's
    # organisation: who confirmed, and why.
    suitability_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suitability_note = models.CharField(max_length=500, blank=True)
    # The participant's short feedback at the end (optional).
    feedback_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])

    class Meta:
        ordering = ["-enrolled_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"],
                condition=Q(state="enrolled"),
                name="enrolment_one_live_per_service",
            ),
            models.CheckConstraint(
                condition=Q(state__in=EnrolmentState.values), name="enrolment_state_valid"
            ),
            models.CheckConstraint(
                condition=(Q(state="completed") & Q(completed_on__isnull=False))
                | (~Q(state="completed") & Q(completed_on__isnull=True)),
                name="enrolment_completed_on_when_completed",
            ),
            models.CheckConstraint(
                condition=Q(award_achieved_on__isnull=True) | Q(state="completed"),
                name="enrolment_award_only_when_completed",
            ),
            models.CheckConstraint(
                condition=(Q(state="withdrawn") & Q(withdrawn_on__isnull=False))
                | (~Q(state="withdrawn") & Q(withdrawn_on__isnull=True)),
                name="enrolment_withdrawn_on_when_withdrawn",
            ),
            models.CheckConstraint(
                condition=Q(referral__isnull=False) | ~Q(reason=""),
                name="enrolment_reason_without_referral",
            ),
            models.CheckConstraint(
                condition=Q(feedback_rating__isnull=True)
                | (Q(feedback_rating__gte=1) & Q(feedback_rating__lte=5)),
                name="enrolment_feedback_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.service}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_PERSON = "cancelled_by_person", "Cancelled by the person"
    CANCELLED_BY_PROVIDER = "cancelled_by_provider", "Cancelled by us"


# Marks that mean the person was there: an attended contact (DESIGN §5).
PRESENT = frozenset({AttendanceStatus.ATTENDED, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY})


class Attendance(TimestampedModel):
    """One person's mark on one session's register. A later mark changes it; the audit trail
    keeps every mark."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=30, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why a mark took the session over its capacity.
    over_capacity_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["session", "person"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_one_per_person"),
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display().lower()} {self.session}"

    @property
    def present(self) -> bool:
        return self.status in PRESENT


class MarkReceipt(models.Model):
    """Each mark a device sent, by the key the device gave it: a register sent twice (a phone
    that was offline retrying) is taken once, and an old mark sent late never undoes a newer."""

    key = models.CharField(max_length=100, unique=True)
    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="receipts")
    status = models.CharField(max_length=30, choices=AttendanceStatus.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class SessionNote(TimestampedModel):
    """What a leader noted about an attendee after a session: behaviour, or a concern, which
    the referrer may be told of."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="session_notes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(validators=[MaxLengthValidator(4000)])
    concern = models.BooleanField(default=False)
    notify_referrer = models.BooleanField(default=False)
    # The referral whose referrer was told, when they were.
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notify_referrer=True) | Q(referral__isnull=True),
                name="session_note_referral_only_when_told",
            )
        ]

    def __str__(self) -> str:
        return f"Note on {self.person} at {self.session}"
