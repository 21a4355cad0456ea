"""Open Referral UK imports into the service directory."""

from typing import Any

from django.db.models import QuerySet

from resettle.access.core import (
    ORGANISATION_ADMIN_ROLES,
    Actor,
    acting_staff,
    get_or_404,
)
from resettle.openreferral.models import FeedImport

# Open Referral UK import ------------------------------------------------------------------------
#
# Importing a feed adds or changes many services at once, so it is for organisation admins only,
# and only ever into their own organisation's directory entry.


def can_import_services(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in ORGANISATION_ADMIN_ROLES


def imports_visible_to(actor: Actor) -> QuerySet[FeedImport]:
    """The actor's organisation's imports (only organisation admins see any)."""
    staff = acting_staff(actor)
    if staff is None or not can_import_services(actor):
        return FeedImport.objects.none()
    return FeedImport.objects.filter(organisation_id=staff.organisation_id)


def get_import_for_actor(actor: Actor, import_id: Any) -> FeedImport:
    return get_or_404(imports_visible_to(actor).select_related("uploaded_by"), import_id, "import")


def can_import_feed(actor: Actor, feed_import: FeedImport) -> bool:
    """Importing a previewed feed: into the actor's own organisation only."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and can_import_services(actor)
        and feed_import.organisation_id == staff.organisation_id
    )
