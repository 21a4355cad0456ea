from django.conf import settings
from django.http import HttpRequest

from resettle.access.policy import (
    can_administer_staff,
    can_evaluate,
    can_manage_agreements,
    can_view_break_glass_report,
    can_view_case_records,
    can_view_mentor_profiles,
    can_view_reports,
)
from resettle.access.rules.linkage import can_manage_linkage, can_view_cases_in_common

# Which service navigation item a URL namespace belongs to.
NAV_SECTIONS = {
    "web": "home",
    "people": "people",
    "consent": "people",
    "partnerships": "agreements",
    "suitability": "people",
    "audit": "people",
    "cases": "people",
    "linkage": "linkage",
    "contacts": "people",
    "plans": "people",
    "mentoring": "people",
    "directory": "services",
    "openreferral": "services",
    "custody": "people",
    "offending": "people",
    "referrals": "referrals",
    "registers": "sessions",
    "evaluation": "evaluation",
    "reports": "reports",
}
# Pages of a namespace that have their own navigation item.
NAV_PAGES = {
    ("today", "today"): "today",
    ("today", "caseload"): "caseload",
    ("custody", "releases"): "releases",
    ("referrals", "person"): "people",
    ("referrals", "create"): "people",
    ("referrals", "signpost"): "people",
    ("mentoring", "mentor_list"): "mentors",
    ("linkage", "cases_in_common"): "cases_in_common",
    ("linkage", "cases_in_common_csv"): "cases_in_common",
    ("mentoring", "mentor_create"): "mentors",
    ("mentoring", "mentor_detail"): "mentors",
    ("mentoring", "mentor_edit"): "mentors",
    ("mentoring", "supervision"): "mentors",
    ("mentoring", "supervision_create"): "mentors",
    ("evaluation", "person_outcomes"): "people",
    ("evaluation", "outcome_create"): "people",
    ("dataprotection", "person_corrections"): "people",
    ("dataprotection", "person_correct"): "people",
    ("access", "break_glass_report"): "reports",
}


def _nav_section(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if match.namespace == "accounts" and match.url_name.startswith("organisation_"):
        return "organisations"
    if match.namespace == "accounts" and match.url_name.startswith(("staff_", "invitation_")):
        return "staff"
    page = NAV_PAGES.get((match.namespace, match.url_name))
    return page or NAV_SECTIONS.get(match.namespace)


def resettle(request: HttpRequest) -> dict:
    actor = getattr(request, "actor", None)
    access = getattr(request, "access", None)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "actor": actor,
        "demo_mode": settings.DEMO_MODE,
        "shows_people": can_view_case_records(access),
        "shows_agreements": can_manage_agreements(access),
        "shows_mentors": can_view_mentor_profiles(access),
        "shows_evaluation": can_evaluate(access),
        "shows_reports": can_view_reports(access),
        "shows_staff": can_administer_staff(access),
        # The break-glass report is under Reports; a safeguarding lead without them gets a link.
        "shows_break_glass_report": can_view_break_glass_report(access)
        and not can_view_reports(access),
        "shows_linkage": can_manage_linkage(access),
        "shows_cases_in_common": can_view_cases_in_common(access),
        "membership_count": getattr(request, "membership_count", 0) if signed_in else 0,
        "nav_section": _nav_section(request),
    }
