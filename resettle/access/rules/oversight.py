"""Break-glass and oversight: who may open a restricted category, and who reads the logs."""

from django.db.models import QuerySet

from resettle.access.categories import BREAK_GLASS_CATEGORIES
from resettle.access.core import (
    ORGANISATION_ADMIN_ROLES,
    Actor,
    acting_staff,
    can_view_person,
)
from resettle.access.models import BreakGlassAccess
from resettle.accounts.models import Role
from resettle.people.models import Person


def can_break_glass(actor: Actor, person: Person, category: str) -> bool:
    """A designated safeguarding lead, working with the person, for a restricted category."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.is_safeguarding_lead
        and category in BREAK_GLASS_CATEGORIES
        and can_view_person(actor, person)
    )


# Oversight --------------------------------------------------------------------------------------

# Roles that answer to a person for how their record is used, besides safeguarding leads.
ACCESS_LOG_ROLES = frozenset({Role.CASEWORKER, Role.REFERRER})
# Roles that oversee how the partnership uses break-glass, whatever their safeguarding flag.
BREAK_GLASS_OVERSIGHT_ROLES = ORGANISATION_ADMIN_ROLES | {Role.PARTNERSHIP_MANAGER}


def can_view_access_log(actor: Actor, person: Person) -> bool:
    """ "Who has accessed this record": a safeguarding lead, caseworker or referrer whose
    organisation is working with the person."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and (staff.is_safeguarding_lead or staff.role in ACCESS_LOG_ROLES)
        and can_view_person(actor, person)
    )


def can_view_organisation_audit(actor: Actor) -> bool:
    """An organisation admin may read the events of their own organisation's staff."""
    staff = acting_staff(actor)
    return staff is not None and staff.role in ORGANISATION_ADMIN_ROLES


def can_view_break_glass_report(actor: Actor) -> bool:
    """Organisation admins, partnership managers and designated safeguarding leads."""
    staff = acting_staff(actor)
    return staff is not None and (
        staff.role in BREAK_GLASS_OVERSIGHT_ROLES or staff.is_safeguarding_lead
    )


def can_end_break_glass(actor: Actor, access: BreakGlassAccess) -> bool:
    """The lead who opened it, or another designated safeguarding lead of the organisation it
    was opened for (so a lead can end a colleague's access from their home page)."""
    staff = acting_staff(actor)
    if staff is None or access.organisation_id != staff.organisation_id:
        return False
    return access.user_id == staff.user_id or staff.is_safeguarding_lead


def break_glass_of_organisation(actor: Actor) -> QuerySet[BreakGlassAccess]:
    """The break-glass accesses of the actor's organisation, for its safeguarding leads only."""
    staff = acting_staff(actor)
    if staff is None or not staff.is_safeguarding_lead:
        return BreakGlassAccess.objects.none()
    return BreakGlassAccess.objects.filter(organisation_id=staff.organisation_id)
