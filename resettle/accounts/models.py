from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models

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
