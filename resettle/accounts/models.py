from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from resettle.core.models import TimestampedModel


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    is_demo = models.BooleanField(
        default=False,
        help_text="One of the demo partnership's named sign-ins, made by the demo generator.",
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    if TYPE_CHECKING:
        # Put on the user of each request by django_otp.middleware.OTPMiddleware.
        def is_verified(self) -> bool: ...


class OrganisationKind(models.TextChoices):
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    LEAD_CHARITY = "lead_charity", "Lead charity"
    MENTORING = "mentoring", "Mentoring"
    SPORT_TRUST = "sport_trust", "Sport or football trust"
    HOUSING = "housing", "Housing"
    FAMILY_SUPPORT = "family_support", "Family support"
    WOMENS_SERVICE = "womens_service", "Women's service"
    DWP = "dwp", "DWP"
    OTHER = "other", "Other"


class Organisation(TimestampedModel):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    description = models.TextField(blank=True, max_length=2000)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PEER_MENTOR = "peer_mentor", "Peer mentor"
    CASEWORKER = "caseworker", "Caseworker"
    DELIVERY_COORDINATOR = "delivery_coordinator", "Delivery coordinator"
    REFERRER = "referrer", "Referrer"
    PARTNERSHIP_MANAGER = "partnership_manager", "Partnership manager"
    ANALYST = "analyst", "Analyst"
    ORGANISATION_ADMIN = "organisation_admin", "Organisation admin"


class Membership(TimestampedModel):
    """A user's role in one organisation. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    is_safeguarding_lead = models.BooleanField(default=False)
    # Answers the organisation's data-protection duties: subject access requests.
    is_data_protection_lead = models.BooleanField(default=False)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"


class InvitationPurpose(models.TextChoices):
    JOIN = "join", "Join the organisation"
    # After an admin resets someone's two-factor sign-in: they set a password and enrol again.
    ENROL_AGAIN = "enrol_again", "Set up two-factor sign-in again"


class Invitation(TimestampedModel):
    """A one-time link, e-mailed to someone, with which they set a password and set up
    two-factor sign-in in one go: how anyone first enrols an authenticator (a password alone
    never does). Only a hash of the link's token is kept; re-sending makes a new token."""

    # None only for an operator (a superuser, in no organisation) enrolling again.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        null=True,
        blank=True,
    )
    purpose = models.CharField(
        max_length=20, choices=InvitationPurpose.choices, default=InvitationPurpose.JOIN
    )
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    is_safeguarding_lead = models.BooleanField(default=False)
    is_data_protection_lead = models.BooleanField(default=False)
    # The account being enrolled again; for a new member, the account made on acceptance.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values)
                | models.Q(role="", purpose=InvitationPurpose.ENROL_AGAIN),
                name="invitation_role_valid",
            ),
            # Someone new joins an organisation; only an existing account enrols again.
            models.CheckConstraint(
                condition=models.Q(purpose=InvitationPurpose.JOIN, organisation__isnull=False)
                | models.Q(purpose=InvitationPurpose.ENROL_AGAIN, user__isnull=False),
                name="invitation_names_whom_it_is_for",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=InvitationPurpose.values),
                name="invitation_purpose_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("sent_at")),
                name="invitation_expires_after_sending",
            ),
            models.CheckConstraint(
                condition=~models.Q(accepted_at__isnull=False, revoked_at__isnull=False),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation or 'Resettle'}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def status(self, at: datetime | None = None) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (at or timezone.now()):
            return "expired"
        return "pending"

    def is_pending(self, at: datetime | None = None) -> bool:
        return self.status(at) == "pending"
