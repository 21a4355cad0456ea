"""Reports: counts, never people. An organisation's own report is exact and is for its managers,
analysts and admins; a partnership's report, and one organisation's report read by a partnership
manager or analyst of another member, are shared beyond the organisation and so are suppressed
(DESIGN §5, small numbers). Aggregates with small numbers hidden identify no one, so they need no
sharing agreement. The records behind the data quality report's counts are listed, to those
who fix them, only as the access core lets each user open them."""

from typing import Any

from django.db.models import Q, QuerySet

from resettle.access.core import ORGANISATION_ADMIN_ROLES, Actor, acting_staff, get_or_404
from resettle.access.principals import CASE_LEVEL_ROLES
from resettle.accounts.models import Organisation, Role
from resettle.partnerships.models import Partnership
from resettle.reports.models import ReportBuild, ScopeKind

# Who oversees a partnership's figures; an organisation admin sees their own organisation's.
PARTNERSHIP_REPORT_ROLES = frozenset({Role.PARTNERSHIP_MANAGER, Role.ANALYST})
REPORT_ROLES = PARTNERSHIP_REPORT_ROLES | ORGANISATION_ADMIN_ROLES


# The records behind the data quality report are listed, for their own organisation, to those
# who fix them: the roles that work with people's records across it (not peer mentors, who see
# only their own mentees), each seeing only the records they may open. Those who read the report
# see how many there are and whose work fixing them is, never who.
RECORDS_TO_FIX_ROLES = (CASE_LEVEL_ROLES - {Role.PEER_MENTOR}) | REPORT_ROLES


def can_view_reports(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in REPORT_ROLES


def can_view_records_to_fix(actor: Actor) -> bool:
    staff = acting_staff(actor)
    return staff is not None and staff.role in RECORDS_TO_FIX_ROLES


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


def builds_visible_to(actor: Actor) -> QuerySet[ReportBuild]:
    """Reports built in the background: those the actor's organisation asked for, for whoever
    reports there (each was suppressed as its asker may see it, and the asker's colleagues
    share their organisation's figures); and scheduled builds of a partnership or organisation
    the actor may report on, which are suppressed for everyone."""
    staff = acting_staff(actor)
    if staff is None or staff.role not in REPORT_ROLES:
        return ReportBuild.objects.none()
    partnerships = [str(pk) for pk in report_partnerships(actor).values_list("pk", flat=True)]
    organisations = [str(pk) for pk in report_organisations(actor).values_list("pk", flat=True)]
    return ReportBuild.objects.filter(
        Q(organisation_id=staff.organisation_id)
        | Q(
            organisation__isnull=True,
            scope_kind=ScopeKind.PARTNERSHIP,
            scope_id__in=partnerships,
        )
        | Q(
            organisation__isnull=True,
            scope_kind=ScopeKind.ORGANISATION,
            scope_id__in=organisations,
        )
    )


def get_build_for_actor(actor: Actor, build_id: Any) -> ReportBuild:
    return get_or_404(builds_visible_to(actor), build_id, "report")
