"""Organisations: which the actor sees, and who changes them."""

from typing import Any

from django.db.models import Q, QuerySet

from resettle.access.core import (
    ORGANISATION_ADMIN_ROLES,
    Actor,
    acting_staff,
    get_or_404,
)
from resettle.accounts.models import Organisation, Role


def organisations_visible_to(actor: Actor) -> QuerySet[Organisation]:
    """Organisations in any partnership the actor's organisation belongs to, and its own."""
    staff = acting_staff(actor)
    if staff is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk=staff.organisation_id) | Q(partnerships__organisations=staff.organisation_id)
    ).distinct()


def can_edit_organisation(actor: Actor, organisation: Organisation) -> bool:
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in ORGANISATION_ADMIN_ROLES
        and staff.organisation_id == organisation.pk
    )


def get_organisation_for_actor(actor: Actor, organisation_id: Any) -> Organisation:
    """The organisation, or the same 404 whether it does not exist or is not visible."""
    return get_or_404(organisations_visible_to(actor), organisation_id, "organisation")


# Roles that oversee the partnership's organisations rather than work with people or run one.
OVERVIEW_ROLES = frozenset({Role.PARTNERSHIP_MANAGER, Role.ANALYST})


def can_view_partnership_overview(actor: Actor) -> bool:
    """The overview of the partnership's organisations a partnership manager or analyst lands on."""
    staff = acting_staff(actor)
    return staff is not None and staff.role in OVERVIEW_ROLES
