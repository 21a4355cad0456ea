"""Who may see the partnership's break-glass report. Kept here, beside the break-glass pages,
until the lead moves it into `policy.py` with the other named rules."""

from resettle.access.policy import ORGANISATION_ADMIN_ROLES, is_current
from resettle.accounts.models import Membership, Role

# Roles that oversee how the partnership uses break-glass, whatever their safeguarding flag.
BREAK_GLASS_OVERSIGHT_ROLES = ORGANISATION_ADMIN_ROLES | {Role.PARTNERSHIP_MANAGER}


def can_view_break_glass_report(actor: Membership | None) -> bool:
    """Organisation admins, partnership managers and designated safeguarding leads."""
    return is_current(actor) and (
        actor.role in BREAK_GLASS_OVERSIGHT_ROLES or actor.is_safeguarding_lead
    )
