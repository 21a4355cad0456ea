"""Referrals: a request from one organisation to a service (of another or its own) to support a
person, with states (DESIGN §6). Every state change is a `ReferralTransition` row, so
the referral's history is never overwritten."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.core.pathways import Pathway
from resettle.directory.models import Service
from resettle.people.models import Person


class ReferralState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WAITING_LIST = "waiting_list", "On the waiting list"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed (unable to engage)"


# States in which the receiving organisation is (or may soon be) supporting the person.
LIVE_STATES = frozenset(
    {
        ReferralState.SUBMITTED,
        ReferralState.ACCEPTED,
        ReferralState.WAITING_LIST,
        ReferralState.IN_PROGRESS,
    }
)
# States that count against a service's capacity.
OCCUPYING_STATES = frozenset({ReferralState.ACCEPTED, ReferralState.IN_PROGRESS})
FINAL_STATES = frozenset(
    {
        ReferralState.DECLINED,
        ReferralState.COMPLETED,
        ReferralState.WITHDRAWN,
        ReferralState.CLOSED,
    }
)


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon (within 2 weeks)"
    URGENT = "urgent", "Urgent (within 2 working days)"


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    NO_CAPACITY = "no_capacity", "No capacity"
    UNSUITABLE = "unsuitable", "Unsuitable (per suitability assessment)"
    PERSON_DECLINED = "person_declined", "The person declined"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    DUPLICATE = "duplicate", "Duplicate referral"
    OTHER = "other", "Other"


class Referral(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    referring_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    # The referral made from within this one's case, to keep the chain (onward referrals).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="onward_referrals"
    )
    state = models.CharField(
        max_length=20, choices=ReferralState.choices, default=ReferralState.DRAFT
    )
    reason = models.TextField(validators=[MaxLengthValidator(4000)])
    pathway = models.CharField(max_length=30, choices=Pathway.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    # The data categories the person agreed may go with the referral (see their consent).
    shared_categories = models.JSONField(default=list, blank=True)
    consent = models.ForeignKey(
        "consent.Consent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    # Referring someone the eligibility rules say is not eligible needs a recorded reason.
    eligibility_override_reason = models.TextField(
        blank=True, validators=[MaxLengthValidator(1000)]
    )
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    decline_detail = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    outcome = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    end_reason = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set while on the waiting list: how long it has waited.
    waiting_since = models.DateTimeField(null=True, blank=True)
    # A place on the waiting list set by hand (WaitingListMove): served as if it had this
    # urgency rank and had joined at this moment. Without them, by urgency and waiting_since.
    waiting_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    waiting_order = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: every transition increments it (ETag / If-Match, 409).
    version = models.PositiveIntegerField(default=1)
    # The receiving organisation's worker who first responded (the "received by me" filter).
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_handled",
    )
    # Referring despite a "no contact wanted" relationship with someone on the same service.
    no_contact_confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ReferralState.values), name="referral_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReferralState.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=ReferralState.DRAFT) | Q(submitted_at__isnull=False),
                name="referral_submitted_has_time",
            ),
        ]
        # The received and sent lists and their figures (counts, overdue, mean times) read
        # only these indexes on PostgreSQL (the included columns are ignored on SQLite).
        indexes = [
            models.Index(
                fields=["service", "state", "submitted_at"],
                include=[
                    "id",
                    "created_at",
                    "urgency",
                    "first_response_at",
                    "decided_at",
                    "person",
                ],
                name="referral_received",
            ),
            models.Index(
                fields=["referring_organisation", "submitted_at"],
                include=[
                    "id",
                    "created_at",
                    "state",
                    "urgency",
                    "first_response_at",
                    "decided_at",
                    "person",
                ],
                name="referral_sent",
            ),
            models.Index(fields=["referring_organisation", "state"]),
            models.Index(fields=["person", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.service}"


class ReferralTransition(TimestampedModel):
    """One change of state: who, when, from what to what, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReferralState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])

    class Meta:
        ordering = ["created_at"]


class WaitingListMove(TimestampedModel):
    """A referral moved up or down its service's waiting list by hand, past the referral next to
    it, with who did it and why: the list is served by urgency then age unless someone with a
    reason says otherwise."""

    class Direction(models.TextChoices):
        UP = "up", "Up"
        DOWN = "down", "Down"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="moves")
    passed = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    from_position = models.PositiveIntegerField()
    to_position = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(validators=[MaxLengthValidator(1000)])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["up", "down"]), name="waiting_move_direction_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="waiting_move_has_reason"),
            models.CheckConstraint(
                condition=~Q(referral=models.F("passed")), name="waiting_move_passes_another"
            ),
        ]


class FollowUp(models.TextChoices):
    """Whether the person took up a signposted service ("did they go?")."""

    NOT_YET = "not_yet", "Not followed up yet"
    WENT = "went", "Yes, they went"
    DID_NOT_GO = "did_not_go", "No, they did not go"
    UNKNOWN = "unknown", "Could not find out"


class Signposting(TimestampedModel):
    """A lighter record than a referral: the person was told about a service (in the directory,
    or named in words) and no formal referral was made. Followed up later: did they go?"""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signpostings")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signposted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="signpostings"
    )
    # For a service not in the directory (a GP surgery, a national helpline).
    service_name = models.CharField(max_length=200, blank=True)
    # Signposted from within the support a referral started (keeps the chain).
    from_referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="signpostings"
    )
    pathway = models.CharField(max_length=30, choices=Pathway.choices)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    signposted_on = models.DateField()
    follow_up_on = models.DateField(null=True, blank=True)
    follow_up = models.CharField(max_length=20, choices=FollowUp.choices, default=FollowUp.NOT_YET)
    follow_up_note = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-signposted_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | ~Q(service_name=""),
                name="signposting_names_a_service",
            ),
            models.CheckConstraint(
                condition=Q(follow_up__in=FollowUp.values), name="signposting_follow_up_valid"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True)
                | Q(follow_up_on__gte=models.F("signposted_on")),
                name="signposting_follow_up_after",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "follow_up", "follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.person} signposted to {self.destination}"

    @property
    def destination(self) -> str:
        return self.service.name if self.service is not None else self.service_name
