"""Referrals: a request from one organisation to a service (of another or its own) to support a
person, with states (DESIGN §6, issue 5). Every state change is a `ReferralTransition` row, so
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
        "people.Consent",
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
    # Set while on the waiting list: position is by this, oldest first.
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: every transition increments it (ETag / If-Match, 409).
    version = models.PositiveIntegerField(default=1)

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
        indexes = [
            models.Index(fields=["service", "state"]),
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
