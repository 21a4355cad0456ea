from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

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


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    section: str


# The service navigation, in order: (URL name, text, section, the flag that shows it, or None
# for everyone signed in).
NAV_ITEMS = (
    ("web:home", "Home", "home", None),
    ("people:list", "People", "people", "shows_people"),
    ("today:today", "Today", "today", "shows_people"),
    ("today:caseload", "Caseload", "caseload", "shows_people"),
    ("referrals:received", "Referrals", "referrals", "shows_people"),
    ("registers:session_list", "Sessions", "sessions", "shows_people"),
    ("custody:releases", "Releases", "releases", "shows_people"),
    ("mentoring:mentor_list", "Mentors", "mentors", "shows_mentors"),
    ("directory:service_list", "Services", "services", None),
    ("accounts:organisation_list", "Organisations", "organisations", None),
    ("reports:index", "Reports", "reports", "shows_reports"),
    ("linkage:cases_in_common", "Cases in common", "cases_in_common", "shows_cases_in_common"),
    ("linkage:runs", "Record linkage", "linkage", "shows_linkage"),
    ("evaluation:cohort_list", "Evaluation", "evaluation", "shows_evaluation"),
    ("access:break_glass_report", "Break-glass report", "reports", "shows_break_glass_report"),
    ("accounts:staff_list", "Staff", "staff", "shows_staff"),
    ("partnerships:agreement_list", "Agreements", "agreements", "shows_agreements"),
)


# The header's links, on every page: name in the template -> URL name.
HEADER_LINKS = {
    "home": "web:home",
    "notifications": "notifications:list",
    "api_tokens": "accounts:api_tokens",
    "calendar": "appointments:calendar",
    "mfa_status": "accounts:mfa_status",
    "sign_out": "accounts:logout",
    "switch_organisation": "accounts:switch_organisation",
}


def _href(name: str) -> str:
    # Every page shows the menu: its addresses are worked out once per process (and URLconf,
    # and the prefix the site is served under).
    return _reversed(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@cache
def _reversed(name: str, urlconf: str, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


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
    shown = {
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
    }
    return {
        "actor": actor,
        "demo_mode": settings.DEMO_MODE,
        **shown,
        "nav_items": [
            NavItem(_href(name), text, section)
            for name, text, section, flag in NAV_ITEMS
            if flag is None or shown[flag]
        ]
        if signed_in
        else [],
        "header_links": {key: _href(name) for key, name in HEADER_LINKS.items()},
        "membership_count": getattr(request, "membership_count", 0) if signed_in else 0,
        "nav_section": _nav_section(request),
    }
