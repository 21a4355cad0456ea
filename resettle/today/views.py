"""A worker's or mentor's today page and caseload: their own live cases and tasks. Thin: reads
in `selectors`, filtered by the access policy."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resettle.access import policy
from resettle.today import selectors
from resettle.today.forms import CASELOAD_SORTS, CaseloadForm, NoContactForm
from resettle.web.pages import forbidden

PAGE_SIZE = 25
NO_CASELOAD = (
    "Your role has no caseload of its own: today and caseload pages are for caseworkers, "
    "referrers, coordinators and peer mentors."
)
SORT_LABELS = {
    "name": "Person",
    "state": "State",
    "last_contact": "Last seen",
    "next_review": "Review",
    "release": "Release",
}


@require_GET
def today_view(request: HttpRequest) -> HttpResponse:
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


def _sort_headers(ordering: str) -> list[dict[str, str]]:
    headers = []
    for key in CASELOAD_SORTS:
        if ordering == key:
            aria_sort, next_sort = "ascending", f"-{key}"
        elif ordering == f"-{key}":
            aria_sort, next_sort = "descending", key
        else:
            aria_sort, next_sort = "none", key
        headers.append(
            {"key": key, "label": SORT_LABELS[key], "sort": next_sort, "aria_sort": aria_sort}
        )
    return headers


@require_GET
def caseload_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_case_records(actor):
        return forbidden(request, NO_CASELOAD)
    form = CaseloadForm(request.GET or None, initial={"state": "all"})
    filters = form.filters()
    cases = selectors.caseload(actor=actor, **filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "today/caseload.html",
        {
            "form": form,
            "page_obj": page,
            "cases": page.object_list,
            "sort_headers": _sort_headers(filters["ordering"]),
            "is_filtered": bool(filters["query"] or filters["state"]),
            "query": "",
        },
    )
