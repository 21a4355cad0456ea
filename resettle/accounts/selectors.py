"""Reads about organisations and memberships, already limited to what the actor may see."""

from datetime import date

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from resettle.access.models import BreakGlassAccess
from resettle.access.policy import (
    break_glass_of_organisation,
    invitations_administered_by,
    memberships_administered_by,
    organisations_visible_to,
)
from resettle.accounts.models import Invitation, Membership, Organisation, User
from resettle.partnerships.models import Partnership

# The orderings the organisation list offers, keyed by the value in the `sort` parameter.
ORGANISATION_ORDERINGS = {"name": ("name",), "-name": ("-name",)}


def organisation_list(
    *, actor: Membership | None, kind: str | None = None, ordering: str = "name"
) -> QuerySet[Organisation]:
    organisations = organisations_visible_to(actor)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by(*ORGANISATION_ORDERINGS.get(ordering, ("name",)))


def organisation_partnerships(
    *, actor: Membership, organisation: Organisation
) -> QuerySet[Partnership]:
    """All of an organisation's partnerships if it is the actor's own; otherwise only those
    it shares with the actor's organisation."""
    partnerships = Partnership.objects.filter(organisations=organisation)
    if organisation.pk != actor.organisation_id:
        shared = Partnership.objects.filter(organisations=actor.organisation_id)
        partnerships = partnerships.filter(pk__in=shared.values("pk"))
    return partnerships.order_by("name")


def current_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, ended_on__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def organisation_members(*, actor: Membership, organisation: Organisation) -> QuerySet[Membership]:
    """Names of the people in an organisation, shown only to its own members."""
    if organisation.pk != actor.organisation_id:
        return Membership.objects.none()
    return current_members(organisation=organisation)


def organisation_summaries(*, actor: Membership | None, on: date | None = None):
    """Organisations the actor can see, each with its count of current members and of people
    it works with on the day. Counts only, never names: for managers and analysts."""
    on = on or date.today()
    working_now = Q(working_relationships__started_on__lte=on) & (
        Q(working_relationships__ended_on__isnull=True) | Q(working_relationships__ended_on__gte=on)
    )
    return (
        Organisation.objects.filter(pk__in=organisations_visible_to(actor).values("pk"))
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__ended_on__isnull=True), distinct=True
            ),
            people_count=Count("working_relationships__person", filter=working_now, distinct=True),
        )
        .order_by("name")
    )


# Staff administration --------------------------------------------------------------------------

STAFF_ORDERINGS = {
    "name": ("user__last_name", "user__first_name", "user__username"),
    "-name": ("-user__last_name", "-user__first_name", "-user__username"),
    "role": ("role", "user__last_name", "user__first_name"),
    "-role": ("-role", "user__last_name", "user__first_name"),
    "since": ("created_at",),
    "-since": ("-created_at",),
}


def staff_list(
    *, actor: Membership | None, role: str = "", status: str = "active", ordering: str = "name"
) -> QuerySet[Membership]:
    """The admin's organisation's memberships, filtered by role and by active or deactivated;
    none for anyone who is not its admin."""
    today = date.today()
    current = Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    memberships = memberships_administered_by(actor).select_related("user")
    if role:
        memberships = memberships.filter(role=role)
    if status == "active":
        memberships = memberships.filter(current)
    elif status == "deactivated":
        memberships = memberships.exclude(current)
    fields = STAFF_ORDERINGS.get(ordering, STAFF_ORDERINGS["name"])
    return memberships.order_by(*fields, "pk")


def waiting_invitations(*, actor: Membership | None) -> QuerySet[Invitation]:
    """Invitations of the admin's organisation not yet used or revoked, newest first; expired
    ones too, so they can be sent again."""
    return (
        invitations_administered_by(actor)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("user")
        .order_by("-sent_at")
    )


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these usernames are locked now after repeated wrong passwords (django-axes)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def open_break_glass_of_organisation(*, actor: Membership | None) -> QuerySet[BreakGlassAccess]:
    """The break-glass accesses open now in the safeguarding lead's organisation, soonest to
    expire first, for their home page."""
    now = timezone.now()
    return (
        break_glass_of_organisation(actor)
        .filter(closed_at__isnull=True, opened_at__lte=now, expires_at__gt=now)
        .select_related("user", "person")
        .order_by("expires_at")
    )
