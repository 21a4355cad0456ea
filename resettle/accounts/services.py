"""Changes to organisations. Each checks the access policy and runs in a transaction."""

from django.db import transaction
from django.urls import reverse

from resettle.access.policy import can_edit_organisation
from resettle.accounts.models import Membership, Organisation, Role, User
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
