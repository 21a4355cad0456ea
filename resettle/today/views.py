"""A worker's or mentor's today page and caseload: their own live cases and tasks. Thin: reads
in `selectors`, filtered by the access policy."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resettle.access import policy
from resettle.core.http import AuthenticatedRequest
from resettle.today import selectors
from resettle.today.forms import CaseloadForm, NoContactForm
from resettle.web.pages import forbidden
from resettle.web.tables import Column, Table

PAGE_SIZE = 25
NO_CASELOAD = (
    "Your role has no caseload of its own: today and caseload pages are for caseworkers, "
    "referrers, coordinators and peer mentors."
)
# The today page shows the first few of each long list, and the rest when asked (?all=<list>).
LONG_LIST = 10
LONG_LISTS = {
    "overdue_tasks": "overdue-tasks",
    "reviews_due": "reviews-due",
    "outcomes_due": "outcomes-due",
    "no_contact": "no-contact",
}
CASELOAD_TABLE = Table(
    Column("name", "Person"),
    Column("state", "State"),
    Column("last_contact", "Last seen"),
    Column("next_review", "Review"),
    Column("release", "Release"),
    Column("next_appointment", "Next appointment"),
    per_page=PAGE_SIZE,
)


@require_GET
def today_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_case_records(actor):
        return forbidden(request, NO_CASELOAD)
    form = NoContactForm(request.GET if "days" in request.GET else None)
    days = selectors.DEFAULT_NO_CONTACT_DAYS
    if form.is_bound and form.is_valid() and form.cleaned_data["days"]:
        days = form.cleaned_data["days"]
    today = selectors.today_for(actor=actor, no_contact_days=days)
    expanded = sorted(set(request.GET.getlist("all")) & LONG_LISTS.keys())
    context = {
        "today": today,
        "shown": _shown(request, today, expanded),
        "expanded": expanded,
        "records_to_fix": policy.can_view_records_to_fix(actor),
    }
    return render(request, "today/today.html", context | {"form": form})


def _shown(
    request: AuthenticatedRequest, today: selectors.Today, expanded: list[str]
) -> dict[str, dict[str, object]]:
    """Each long list cut to its first LONG_LIST items unless the query asks for all of it, with
    how many are hidden and the address that shows them."""
    shown = {}
    for name, anchor in LONG_LISTS.items():
        items = getattr(today, name)
        whole = name in expanded or len(items) <= LONG_LIST
        query = request.GET.copy()
        query.setlist("all", sorted({*expanded, name}))
        shown[name] = {
            "items": items if whole else items[:LONG_LIST],
            "hidden": 0 if whole else len(items) - LONG_LIST,
            "more": f"?{query.urlencode()}#{anchor}",
        }
    return shown


@require_GET
def caseload_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_case_records(actor):
        return forbidden(request, NO_CASELOAD)
    form = CaseloadForm(request.GET or None, initial={"state": "all"})
    filters = form.filters()
    cases = selectors.caseload(actor=actor, **filters)
    table = CASELOAD_TABLE.context(request, cases, ordering=filters["ordering"])
    return render(
        request,
        "today/caseload.html",
        table
        | {
            "form": form,
            "cases": table["page_obj"].object_list,
            "is_filtered": bool(filters["query"] or filters["state"]),
            "query": "",
        },
    )
