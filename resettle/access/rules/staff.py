"""Staff administration: an organisation admin manages the memberships and invitations of their
own organisation, and no one else's. Anyone else asking about a membership or an invitation
gets the same 404 as for one that does not exist."""

from typing import Any

from django.db.models import QuerySet

from resettle.access.core import ORGANISATION_ADMIN_ROLES, Actor, acting_staff, get_or_404
from resettle.accounts.models import Invitation, Membership


def can_administer_staff(actor: Actor) -> bool:
    """Invite people, change roles, deactivate, reset two-factor sign-in, unlock: the
    organisation's own admins."""
    staff = acting_staff(actor)
    return staff is not None and staff.role in ORGANISATION_ADMIN_ROLES


def memberships_administered_by(actor: Actor) -> QuerySet[Membership]:
    """Every membership of the admin's organisation, current and ended; none for anyone else."""
    staff = acting_staff(actor)
    if staff is None or not can_administer_staff(actor):
        return Membership.objects.none()
    return Membership.objects.filter(organisation_id=staff.organisation_id)


def get_membership_for_admin(actor: Actor, membership_id: Any) -> Membership:
    """A membership of the admin's organisation, or the same 404 whether it does not exist,
    is another organisation's, or the actor is not its admin."""
    return get_or_404(
        memberships_administered_by(actor).select_related("user", "organisation"),
        membership_id,
        "membership",
    )


def invitations_administered_by(actor: Actor) -> QuerySet[Invitation]:
    staff = acting_staff(actor)
    if staff is None or not can_administer_staff(actor):
        return Invitation.objects.none()
    return Invitation.objects.filter(organisation_id=staff.organisation_id)


def get_invitation_for_admin(actor: Actor, invitation_id: Any) -> Invitation:
    return get_or_404(
        invitations_administered_by(actor).select_related("organisation", "user"),
        invitation_id,
        "invitation",
    )
