from django.conf import settings
from django.http import HttpRequest

from resettle.access.policy import can_manage_agreements, can_view_case_records
from resettle.accounts.middleware import current_memberships

# Which service navigation item a URL namespace belongs to.
NAV_SECTIONS = {
    "web": "home",
    "people": "people",
    "consent": "people",
    "partnerships": "agreements",
}


def _nav_section(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if match.namespace == "accounts" and match.url_name.startswith("organisation_"):
        return "organisations"
    return NAV_SECTIONS.get(match.namespace)


def resettle(request: HttpRequest) -> dict:
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "actor": actor,
        "demo_mode": settings.DEMO_MODE,
        "shows_people": can_view_case_records(actor),
        "shows_agreements": can_manage_agreements(actor),
        # A callable, which templates call only when they show it, so fragments run no query.
        "membership_count": lambda: current_memberships(user).count() if signed_in else 0,
        "nav_section": _nav_section(request),
    }
