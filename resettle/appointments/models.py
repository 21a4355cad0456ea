"""Appointments: a meeting booked with a person under a live case (a gate meeting, a visit in
custody, a phone call), which becomes a contact once its outcome is recorded. A rescheduled
appointment keeps its earlier times as dated `AppointmentChange` rows, never overwritten; each
user's calendar feed is a `CalendarFeed`, of which only a hash of the secret is kept."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Organisation
from resettle.cases.models import Case
from resettle.contacts.models import CancelledBy, Contact, ContactKind
from resettle.core.models import TimestampedModel
from resettle.people.models import Person


class AppointmentState(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"


class AppointmentKind(models.TextChoices):
    """The contact kinds an appointment can be booked as: the contact it becomes has the same."""

    FACE_TO_FACE = ContactKind.FACE_TO_FACE.value, "Meeting in person"
    PHONE = ContactKind.PHONE.value, "Phone call"
    VIDEO = ContactKind.VIDEO.value, "Video call"
    GATE_MEETING = ContactKind.GATE_MEETING.value, "Gate meeting"
    CUSTODY_VISIT = ContactKind.CUSTODY_VISIT.value, "Visit in custody"


# How each kind of appointment is held.
MODE_OF_KIND = {
    AppointmentKind.FACE_TO_FACE: AppointmentMode.IN_PERSON,
    AppointmentKind.PHONE: AppointmentMode.PHONE,
    AppointmentKind.VIDEO: AppointmentMode.VIDEO,
    AppointmentKind.GATE_MEETING: AppointmentMode.IN_PERSON,
    AppointmentKind.CUSTODY_VISIT: AppointmentMode.IN_PERSON,
}
# States an outcome leaves the appointment in; only these have a contact (a cancellation
# recorded as the outcome has one too, an appointment cancelled ahead has none).
OUTCOME_STATES = (AppointmentState.ATTENDED, AppointmentState.DID_NOT_ATTEND)


def _mode_matches_kind() -> Q:
    matches = Q()
    for kind, mode in MODE_OF_KIND.items():
        matches |= Q(kind=kind, mode=mode)
    return matches


class Appointment(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appointments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The worker or mentor meeting the person.
    with_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    mode = models.CharField(max_length=10, choices=AppointmentMode.choices)
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    state = models.CharField(
        max_length=20, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    # The member of staff who recorded the cancellation.
    cancelled_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    contact = models.OneToOneField(
        Contact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointment",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=AppointmentState.values), name="appointment_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=_mode_matches_kind(), name="appointment_mode_of_kind"),
            # An outcome is a contact: attended and did-not-attend always have one, a booked
            # appointment never.
            models.CheckConstraint(
                condition=~Q(state__in=OUTCOME_STATES) | Q(contact__isnull=False),
                name="appointment_outcome_has_contact",
            ),
            models.CheckConstraint(
                condition=~Q(state=AppointmentState.BOOKED) | Q(contact__isnull=True),
                name="appointment_booked_has_no_contact",
            ),
            # Who cancelled, why and when: all of them when cancelled, none of them otherwise.
            models.CheckConstraint(
                condition=(
                    Q(state=AppointmentState.CANCELLED)
                    & ~Q(cancelled_by="")
                    & Q(cancelled_at__isnull=False)
                    & Q(cancelled_by_user__isnull=False)
                )
                | (
                    ~Q(state=AppointmentState.CANCELLED)
                    & Q(cancelled_by="", cancel_reason="")
                    & Q(cancelled_at__isnull=True, cancelled_by_user__isnull=True)
                ),
                name="appointment_cancel_fields_only_when_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["with_user", "starts_at"]),
            models.Index(fields=["person", "starts_at"]),
            models.Index(fields=["case", "starts_at"]),
            models.Index(fields=["organisation", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class AppointmentChange(TimestampedModel):
    """One rescheduling: the times and place before and after, who moved it and why."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    previous_starts_at = models.DateTimeField()
    previous_ends_at = models.DateTimeField()
    previous_place = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]


class CalendarFeed(TimestampedModel):
    """A user's private calendar address. Only the SHA-256 of its secret is kept; a revoked feed
    answers as if it never existed. Making a new one revokes the old."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The user's choice to show people's full names, the kind and the note in their calendar;
    # otherwise only a first name and the place.
    include_details = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_user",
            )
        ]
