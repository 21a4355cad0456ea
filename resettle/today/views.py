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
    return render(
        request,
        "today/today.html",
        {"today": selectors.today_for(actor=actor, no_contact_days=days), "form": form},
    )


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
