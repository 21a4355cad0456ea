"""Sharing agreements: who manages them, and which the actor sees."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from resettle.access.core import (
    ORGANISATION_ADMIN_ROLES,
    Actor,
    acting_staff,
    get_or_404,
)
from resettle.access.core import as_is as _as_is
from resettle.partnerships.models import Partnership, SharingAgreement


def can_manage_agreements(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in ORGANISATION_ADMIN_ROLES


def agreements_visible_to(actor: Actor) -> QuerySet[SharingAgreement]:
    """Agreements of the partnerships the admin's organisation belongs to; none for anyone else."""
    staff = acting_staff(actor)
    if staff is None or not can_manage_agreements(actor):
        return SharingAgreement.objects.none()
    partnerships = Partnership.objects.filter(organisations=staff.organisation_id)
    return SharingAgreement.objects.filter(partnership__in=partnerships)


def can_change_agreement(actor: Actor, agreement: SharingAgreement) -> bool:
    """Only an admin of the organisation that owns an agreement may change or end it."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and can_manage_agreements(actor)
        and agreement.owner_id == staff.organisation_id
    )


def get_agreement_for_actor(
    actor: Actor,
    agreement_id: Any,
    *,
    shaped: Callable[[QuerySet[SharingAgreement]], QuerySet[SharingAgreement]] = _as_is,
) -> SharingAgreement:
    """The agreement (read as `shaped` makes it), or the same 404 whether it does not exist or
    belongs to a partnership the actor's organisation is not in."""
    return get_or_404(shaped(agreements_visible_to(actor)), agreement_id, "agreement")
