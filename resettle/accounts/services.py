"""Changes to organisations. Each checks the access policy and runs in a transaction."""

from django.db import transaction

from resettle.access.policy import can_edit_organisation
from resettle.accounts.models import Membership, Organisation, User
from resettle.core.exceptions import PermissionDenied

ORGANISATION_EDITABLE_FIELDS = frozenset({"name", "kind", "description", "email", "phone"})


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
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
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
