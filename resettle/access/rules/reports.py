"""Reports: counts, never people. An organisation's own report is exact and is for its managers,
analysts and admins; a partnership's report, and one organisation's report read by a partnership
manager or analyst of another member, are shared beyond the organisation and so are suppressed
(DESIGN §5, small numbers). Aggregates with small numbers hidden identify no one, so they need no
sharing agreement; the records behind them are never shown here."""

from django.db.models import QuerySet

from resettle.access.core import ORGANISATION_ADMIN_ROLES, Actor, acting_staff
from resettle.accounts.models import Organisation, Role
from resettle.partnerships.models import Partnership

# Who oversees a partnership's figures; an organisation admin sees their own organisation's.
PARTNERSHIP_REPORT_ROLES = frozenset({Role.PARTNERSHIP_MANAGER, Role.ANALYST})
REPORT_ROLES = PARTNERSHIP_REPORT_ROLES | ORGANISATION_ADMIN_ROLES


def can_view_reports(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in REPORT_ROLES


def report_partnerships(actor: Actor) -> QuerySet[Partnership]:
    """Partnerships whose whole figures the actor may read."""
    staff = acting_staff(actor)
    if staff is None or staff.role not in PARTNERSHIP_REPORT_ROLES:
        return Partnership.objects.none()
    return Partnership.objects.filter(organisations=staff.organisation_id).order_by("name")


def report_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Organisations whose figures the actor may read: their own, and for partnership managers
    and analysts every member of their partnerships."""
    staff = acting_staff(actor)
    if staff is None or staff.role not in REPORT_ROLES:
        return Organisation.objects.none()
    own = Organisation.objects.filter(pk=staff.organisation_id)
    if staff.role not in PARTNERSHIP_REPORT_ROLES:
        return own
    members = Organisation.objects.filter(partnerships__organisations=staff.organisation_id)
    return (own | members).distinct().order_by("name")


def reports_exactly(actor: Actor, organisation_ids: frozenset) -> bool:
    """Exact figures only for the actor's own organisation alone; anything wider is shared."""
    staff = acting_staff(actor)
    return staff is not None and organisation_ids == frozenset({staff.organisation_id})
