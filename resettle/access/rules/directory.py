"""The service directory: services and where they run."""

from django.db.models import Q, QuerySet

from resettle.access.core import (
    Actor,
    acting_staff,
    get_or_404,
    is_current,
)
from resettle.access.rules.organisations import organisations_visible_to
from resettle.accounts.models import Role
from resettle.directory.models import Access, Location, Service, ServiceStatus

# Service directory ------------------------------------------------------------------------------
#
# Everyone (signed in or not) sees the active services open to all; signed in, an actor also sees
# every service of the organisations in its partnerships, referral-only ones included.

SERVICE_MANAGER_ROLES = frozenset({Role.ORGANISATION_ADMIN, Role.DELIVERY_COORDINATOR})


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(
        status=ServiceStatus.ACTIVE, access__in=(Access.OPEN, Access.BOTH)
    )


def services_visible_to(actor: Actor) -> QuerySet[Service]:
    if not is_current(actor):
        return public_services()
    partners = organisations_visible_to(actor).values("pk")
    return Service.objects.filter(
        Q(organisation__in=partners)
        | Q(status=ServiceStatus.ACTIVE, access__in=(Access.OPEN, Access.BOTH))
    )


def get_service_for_actor(actor: Actor, service_id) -> Service:
    return get_or_404(services_visible_to(actor), service_id, "service")


def can_manage_services(actor: Actor) -> bool:
    """Add services to the actor's own organisation's directory entry."""
    staff = acting_staff(actor)
    return staff is not None and staff.role in SERVICE_MANAGER_ROLES


def can_edit_service(actor: Actor, service: Service) -> bool:
    staff = acting_staff(actor)
    return (
        can_manage_services(actor)
        and staff is not None
        and service.organisation_id == staff.organisation_id
    )


# Service directory: locations -------------------------------------------------------------------
#
# Where services run is directory information like the services themselves: signed in, the
# locations of the organisations in the actor's partnerships; changed by the organisation's own
# service managers.


def locations_visible_to(actor: Actor) -> QuerySet[Location]:
    if not is_current(actor):
        return Location.objects.none()
    return Location.objects.filter(organisation__in=organisations_visible_to(actor).values("pk"))


def get_location_for_actor(actor: Actor, location_id) -> Location:
    return get_or_404(locations_visible_to(actor), location_id, "location")


def can_edit_location(actor: Actor, location: Location) -> bool:
    staff = acting_staff(actor)
    return (
        can_manage_services(actor)
        and staff is not None
        and location.organisation_id == staff.organisation_id
    )
