"""Changes to organisations and their staff. Each checks the access policy, is audited and
runs in a transaction."""

from datetime import date
from typing import Any

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from resettle.access.policy import can_administer_staff, can_edit_organisation
from resettle.accounts import invitations
from resettle.accounts.middleware import current_memberships
from resettle.accounts.models import (
    Invitation,
    InvitationPurpose,
    Membership,
    Organisation,
    Role,
    User,
)
from resettle.accounts.security import mfa
from resettle.audit.models import AuditAction
from resettle.audit.services import diff, record_event
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.services import notify

ORGANISATION_EDITABLE_FIELDS = frozenset({"name", "kind", "description", "email", "phone"})
# An organisation's kind decides hard limits (offence information only to probation and
# prison), so only Resettle's operators set it, in the Django admin: never its own admins.
KIND_REFUSED = (
    "An organisation's kind decides what it may ever be shared, so only Resettle's operators "
    "can change it. Ask them if it is wrong."
)


def _partner_admins(organisation: Organisation) -> list[User]:
    """The current admins of the other organisations in this organisation's partnerships."""
    partners = Organisation.objects.filter(partnerships__organisations=organisation).exclude(
        pk=organisation.pk
    )
    return [
        m.user
        for m in Membership.objects.filter(
            organisation__in=partners, role=Role.ORGANISATION_ADMIN, ended_on__isnull=True
        ).select_related("user")
    ]


def organisation_changed(
    *,
    actor: Membership | None,
    user: User | None = None,
    organisation: Organisation,
    changes: dict,
) -> None:
    """Record a change to an organisation in the audit trail and tell its partners' admins."""
    record_event(
        actor=actor,
        user=user,
        action=AuditAction.UPDATE,
        object_type="organisation",
        object_id=organisation.pk,
        changes=changes,
    )
    notify(
        recipients=_partner_admins(organisation),
        organisation=organisation,
        subject=f"{organisation.name}'s details have changed",
        body="Changed: " + ", ".join(sorted(changes)) + ".",
        link=reverse("accounts:organisation_detail", args=[organisation.pk]),
    )


@transaction.atomic
def organisation_update(
    *, actor: Membership | None, organisation: Organisation, **fields: str
) -> Organisation:
    """Change an organisation's details. Only its own organisation admins may."""
    if not can_edit_organisation(actor, organisation):
        raise PermissionDenied("Only an administrator of this organisation can change its details.")
    unknown = set(fields) - ORGANISATION_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))} on an organisation")
    if "kind" in fields and fields["kind"] != organisation.kind:
        raise PermissionDenied(KIND_REFUSED)
    before = {name: getattr(organisation, name) for name in fields}
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    changes = diff(before, {name: getattr(organisation, name) for name in fields})
    if changes:
        organisation_changed(actor=actor, organisation=organisation, changes=changes)
    return organisation


@transaction.atomic
def organisation_create(
    *,
    user: User,
    name: str,
    kind: str,
    description: str = "",
    email: str = "",
    phone: str = "",
) -> Organisation:
    """Add an organisation. Only Resettle's operators (superusers) may: an organisation's
    administrators manage their own organisation, never create others."""
    if not user.is_superuser:
        raise PermissionDenied("Only Resettle's operators can add organisations.")
    organisation = Organisation(
        name=name, kind=kind, description=description, email=email, phone=phone
    )
    organisation.full_clean()
    organisation.save()
    return organisation


# Staff administration --------------------------------------------------------------------------
# An organisation admin invites people, changes their roles and lead flags, deactivates and
# reactivates them, resets their two-factor sign-in and unlocks them: each only for their own
# organisation (`policy.can_administer_staff`), each audited.

ADMINS_ONLY = "Only an administrator of this organisation can manage its staff."
LAST_ADMIN = (
    "The organisation must keep at least one administrator. Make someone else an administrator "
    "first."
)


def _require_admin(actor: Membership | None, organisation_id) -> Membership:
    if actor is None or not can_administer_staff(actor) or actor.organisation_id != organisation_id:
        raise PermissionDenied(ADMINS_ONLY)
    return actor


def membership_is_current(membership: Membership, on: date | None = None) -> bool:
    on = on or date.today()
    return membership.ended_on is None or membership.ended_on > on


def _current_admins(organisation_id) -> QuerySet[Membership]:
    today = date.today()
    return Membership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today),
        organisation_id=organisation_id,
        role=Role.ORGANISATION_ADMIN,
        user__is_active=True,
    )


def _refuse_if_last_admin(membership: Membership) -> None:
    """Refuse a change that would leave the organisation with no current administrator."""
    if membership.role != Role.ORGANISATION_ADMIN or not membership_is_current(membership):
        return
    if not _current_admins(membership.organisation_id).exclude(pk=membership.pk).exists():
        raise ValidationError(LAST_ADMIN)


def _audit_membership(
    actor: Membership, membership: Membership, action: str, changes: dict, request=None
) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="membership",
        object_id=membership.pk,
        changes=changes,
        request=request,
    )


def _email_in_use(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _issue_invitation(*, exclude: tuple[str, ...] = (), **fields: Any) -> tuple[Invitation, str]:
    """A new invitation with a fresh one-time token, sent now and expiring in the usual time,
    saved; returns it and the token (only its hash is stored)."""
    token = invitations.new_token()
    now = timezone.now()
    invitation = Invitation(
        **fields,
        token_hash=invitations.hash_token(token),
        sent_at=now,
        expires_at=invitations.expiry_from(now),
    )
    invitation.full_clean(exclude=list(exclude))
    invitation.save()
    return invitation, token


def _send_invitation(invitation: Invitation, token: str, base_url: str) -> str:
    """E-mail the invitation's link once the transaction commits; returns the link."""
    link = invitations.link_for(token, base_url)
    transaction.on_commit(
        lambda: invitations.send_invitation_email(invitation=invitation, link=link)
    )
    return link


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    is_safeguarding_lead: bool = False,
    is_data_protection_lead: bool = False,
    base_url: str,
) -> tuple[Invitation, str]:
    """Invite someone new to the admin's organisation: makes a one-time link, e-mails it, and
    returns the invitation and the link (shown to the admin once, in case the e-mail is lost)."""
    _require_admin(actor, actor.organisation_id)
    email = (email or "").strip().lower()
    if _email_in_use(email):
        raise ValidationError(
            {
                "email": "Someone already uses Resettle with this email address. If they were "
                "a member here, reactivate them from their page under Staff; otherwise ask "
                "Resettle's operators to add them to your organisation."
            }
        )
    waiting = Invitation.objects.filter(
        organisation_id=actor.organisation_id,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if waiting.exists():
        raise ValidationError(
            {"email": "An invitation to this email address is waiting: send it again instead"}
        )
    invitation, token = _issue_invitation(
        organisation=actor.organisation,
        purpose=InvitationPurpose.JOIN,
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        role=role,
        is_safeguarding_lead=is_safeguarding_lead,
        is_data_protection_lead=is_data_protection_lead,
        invited_by_id=actor.user_id,
    )
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="invitation",
        object_id=invitation.pk,
        changes={"role": [None, role], "expires_at": [None, invitation.expires_at.isoformat()]},
    )
    link = _send_invitation(invitation, token, base_url)
    return invitation, link


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: Invitation, base_url: str) -> str:
    """A new link for a pending or expired invitation; the old link stops working."""
    _require_admin(actor, invitation.organisation_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status() not in {"pending", "expired"}:
        raise ValidationError("This invitation has been used or revoked: it cannot be sent again")
    token = invitations.new_token()
    invitation.token_hash = invitations.hash_token(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitations.expiry_from(invitation.sent_at)
    invitation.full_clean()
    invitation.save()
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="invitation",
        object_id=invitation.pk,
        changes={"expires_at": [None, invitation.expires_at.isoformat()]},
    )
    return _send_invitation(invitation, token, base_url)


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    _require_admin(actor, invitation.organisation_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status() != "pending":
        raise ValidationError("Only an invitation that is waiting can be revoked")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.STATE_CHANGE,
        object_type="invitation",
        object_id=invitation.pk,
        changes={"revoked_at": [None, invitation.revoked_at.isoformat()]},
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, username: str, password_hash: str, totp_key: str, last_t: int
) -> tuple[User, TOTPDevice]:
    """The invitee has chosen a password and proved their authenticator works (the view checked
    a code from it against `totp_key`): make or update their account, with the authenticator
    confirmed and, for a new member, the membership. The link stops working."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=invitation.pk)
    )
    if not invitation.is_pending():
        raise ValidationError("This invitation link has been used, revoked or has expired")
    if invitation.purpose == InvitationPurpose.JOIN:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "Someone already has this username: choose another"})
        if _email_in_use(invitation.email):
            raise ValidationError("Someone already uses Resettle with this email address")
        user = User(
            username=username,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            email=invitation.email,
        )
        # Hashed when chosen, on the journey's first page: the password itself is never kept.
        user.password = password_hash
        user.full_clean()
        user.save()
        membership = Membership(
            user=user,
            organisation=invitation.organisation,
            role=invitation.role,
            is_safeguarding_lead=invitation.is_safeguarding_lead,
            is_data_protection_lead=invitation.is_data_protection_lead,
        )
        membership.full_clean()
        membership.save()
    else:
        assert invitation.user is not None  # an invitation to enrol again names the account
        user = invitation.user
        user.password = password_hash
        user.save(update_fields=["password"])
    # Any earlier authenticator or recovery codes stop working.
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device = TOTPDevice(
        user=user, name=mfa.AUTHENTICATOR_NAME, key=totp_key, confirmed=True, last_t=last_t
    )
    device.full_clean()
    device.save()
    invitation.user = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["user", "accepted_at", "updated_at"])
    record_event(
        actor=None,
        user=user,
        action=AuditAction.MFA,
        object_type="invitation",
        object_id=invitation.pk,
        changes={"accepted_at": [None, invitation.accepted_at.isoformat()]},
    )
    return user, device


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    is_safeguarding_lead: bool,
    is_data_protection_lead: bool,
) -> Membership:
    """Change someone's role and lead flags in the admin's organisation."""
    _require_admin(actor, membership.organisation_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != membership.role:
        _refuse_if_last_admin(membership)
        clash = Membership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, role=role
        ).exclude(pk=membership.pk)
        if clash.exists():
            raise ValidationError({"role": "They already have this role in your organisation"})
    before = {
        "role": membership.role,
        "is_safeguarding_lead": membership.is_safeguarding_lead,
        "is_data_protection_lead": membership.is_data_protection_lead,
    }
    membership.role = role
    membership.is_safeguarding_lead = is_safeguarding_lead
    membership.is_data_protection_lead = is_data_protection_lead
    membership.full_clean()
    membership.save()
    changes = diff(
        before,
        {
            "role": membership.role,
            "is_safeguarding_lead": membership.is_safeguarding_lead,
            "is_data_protection_lead": membership.is_data_protection_lead,
        },
    )
    if changes:
        _audit_membership(actor, membership, AuditAction.UPDATE, changes)
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """End someone's membership today. Whoever has no other current membership cannot sign in
    or use an API token from their next request on; their waiting invitations are revoked."""
    _require_admin(actor, membership.organisation_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk)
    )
    if not membership_is_current(membership):
        raise ValidationError("They are already deactivated")
    _refuse_if_last_admin(membership)
    today = date.today()
    membership.ended_on = today
    membership.full_clean()
    membership.save(update_fields=["ended_on", "updated_at"])
    user = membership.user
    others = Membership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today), user=user
    ).exclude(pk=membership.pk)
    if not others.exists() and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    Invitation.objects.filter(
        user=user,
        organisation_id=membership.organisation_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    _audit_membership(
        actor, membership, AuditAction.STATE_CHANGE, {"ended_on": [None, today.isoformat()]}
    )
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    _require_admin(actor, membership.organisation_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk)
    )
    if membership_is_current(membership):
        raise ValidationError("They are already active")
    ended_on = membership.ended_on
    membership.ended_on = None
    membership.full_clean()
    membership.save(update_fields=["ended_on", "updated_at"])
    if not membership.user.is_active:
        membership.user.is_active = True
        membership.user.save(update_fields=["is_active"])
    _audit_membership(
        actor,
        membership,
        AuditAction.STATE_CHANGE,
        {"ended_on": [ended_on.isoformat() if ended_on else None, None]},
    )
    return membership


@transaction.atomic
def two_factor_reset(*, actor: Membership, membership: Membership, base_url: str) -> str:
    """Remove someone's authenticator and recovery codes and e-mail them a one-time link to set
    a password and enrol again: their password alone will not let them enrol. Returns the link."""
    _require_admin(actor, membership.organisation_id)
    if not membership_is_current(membership):
        raise ValidationError("Reactivate them before resetting their two-factor sign-in")
    user = membership.user
    if not user.email:
        raise ValidationError(
            "They have no email address to send the link to. Ask Resettle's operators to add one."
        )
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invitation, token = _issue_invitation(
        exclude=("last_name",),
        organisation=membership.organisation,
        purpose=InvitationPurpose.ENROL_AGAIN,
        email=user.email,
        first_name=user.first_name or user.username,
        last_name=user.last_name or "",
        role=membership.role,
        user=user,
        invited_by_id=actor.user_id,
    )
    _audit_membership(actor, membership, AuditAction.MFA, {"authenticators": [str(removed), "0"]})
    return _send_invitation(invitation, token, base_url)


def account_unlock(*, actor: Membership, membership: Membership) -> int:
    """Clear the failed sign-ins that lock someone's username (django-axes)."""
    _require_admin(actor, membership.organisation_id)
    cleared = axes_reset(username=membership.user.username)
    _audit_membership(actor, membership, AuditAction.UPDATE, {"locked": ["true", "false"]})
    return cleared


@transaction.atomic
def first_admin_invite(
    *,
    organisation_name: str,
    kind: str,
    email: str,
    first_name: str,
    last_name: str,
    base_url: str,
) -> tuple[Invitation, str]:
    """On an empty database: the first organisation and a one-time invitation for its first
    administrator, who sets a password and two-factor sign-in through the link. Refused once
    anyone has an account, so it cannot be used to slip in an admin later."""
    if User.objects.exists():
        raise PermissionDenied(
            "Resettle already has users: the first admin has been made. An organisation's admins "
            "invite everyone else from its Staff page."
        )
    organisation = Organisation(name=(organisation_name or "").strip(), kind=kind)
    organisation.full_clean()
    organisation.save()
    invitation, token = _issue_invitation(
        organisation=organisation,
        purpose=InvitationPurpose.JOIN,
        email=(email or "").strip().lower(),
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        role=Role.ORGANISATION_ADMIN,
    )
    record_event(
        actor=None,
        action=AuditAction.CREATE,
        object_type="invitation",
        object_id=invitation.pk,
        reason="First administrator, from the command line",
        changes={"role": [None, Role.ORGANISATION_ADMIN]},
    )
    link = _send_invitation(invitation, token, base_url)
    return invitation, link


@transaction.atomic
def two_factor_link_for_operator(*, user: User, base_url: str) -> str:
    """From the command line, for Resettle's operators: remove an account's authenticator and
    recovery codes and make a one-time link with which it chooses a password and sets up
    two-factor sign-in again. How an operator made with `createsuperuser` (in no organisation)
    enrols, and how any account is recovered when no admin of its organisation can."""
    if not user.is_active:
        raise ValidationError(f"{user.username} is switched off")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    membership = current_memberships(user).order_by("created_at").first()
    invitation, token = _issue_invitation(
        exclude=("last_name", "role", "organisation"),
        organisation=membership.organisation if membership else None,
        purpose=InvitationPurpose.ENROL_AGAIN,
        # Never e-mailed: the command prints the link. An address that cannot receive mail.
        email=user.email or f"{user.username}@operators.invalid",
        first_name=user.first_name or user.username,
        last_name=user.last_name,
        role=membership.role if membership else "",
        user=user,
    )
    record_event(
        actor=None,
        user=user,
        action=AuditAction.MFA,
        object_type="invitation",
        object_id=invitation.pk,
        reason="Two-factor sign-in reset from the command line",
    )
    return invitations.link_for(token, base_url)
