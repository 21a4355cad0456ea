"""The Open Referral UK read API (anonymous GET, CORS, the profile's paging) and the import pages
for organisation admins."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from resettle.access import policy
from resettle.core.exceptions import ApplicationError
from resettle.core.http import AuthenticatedRequest, ResettleRequest
from resettle.directory.models import Service
from resettle.openreferral import feed, selectors
from resettle.openreferral.forms import FeedUploadForm
from resettle.openreferral.importer import import_feed, plan_import
from resettle.openreferral.models import FeedImportState
from resettle.web.form_runner import INVALID_FORM_STATUS, bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import page_of

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}
TRUE = {"true", "1", "yes"}
IMPORTS_PAGE_SIZE = 20


def _problem(status: int, title: str, detail: str, **extra: Any) -> JsonResponse:
    """RFC 9457 problem details, as the rest of Resettle's API answers."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def oruk_endpoint(view: Callable[..., dict[str, Any]]) -> Callable[..., HttpResponse]:
    """Open to anyone (signed in or not), read only, readable from any web origin; answers
    JSON, and problem details for a bad parameter or an unknown id."""

    @login_not_required
    @require_http_methods(["GET", "HEAD", "OPTIONS"])
    @wraps(view)
    def wrapper(request: ResettleRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        else:
            try:
                response = JsonResponse(view(request, *args, **kwargs))
            except selectors.BadQuery as error:
                response = _problem(
                    400,
                    "Invalid query parameter",
                    error.message,
                    errors=[{"parameter": error.parameter, "detail": error.message}],
                )
            except Http404 as error:
                response = _problem(404, "Not found", str(error) or "Not found")
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def _url_for(request: ResettleRequest) -> feed.UrlFor:
    def url_for(service: Service) -> str:
        return request.build_absolute_uri(reverse("openreferral:service", args=[service.pk]))

    return url_for


@oruk_endpoint
def root(request: ResettleRequest) -> dict[str, Any]:
    return {
        "version": feed.ORUK_VERSION,
        "profile": feed.ORUK_PROFILE,
        "openapi_url": f"{feed.ORUK_PROFILE}/blob/main/schema/openapi.json",
    }


@oruk_endpoint
def services(request: ResettleRequest) -> dict[str, Any]:
    taxonomies = feed.Taxonomies()
    found = feed.with_related(selectors.feed_services(request.GET, taxonomies))
    page = selectors.paginate(found, request.GET)
    url_for = _url_for(request)
    if request.GET.get("full_service", "").lower() in TRUE:
        contents = [feed.service_full(s, url_for, taxonomies) for s in page.items]
    else:
        contents = [feed.service_summary(s, url_for) for s in page.items]
    return page.envelope(contents)


@oruk_endpoint
def service(request: ResettleRequest, pk: UUID) -> dict[str, Any]:
    found = selectors.get_feed_service(pk)
    found = feed.with_related(type(found).objects.filter(pk=found.pk)).get()
    return feed.service_full(found, _url_for(request), feed.Taxonomies())


@oruk_endpoint
def service_at_locations(request: ResettleRequest) -> dict[str, Any]:
    taxonomies = feed.Taxonomies()
    page = selectors.paginate(
        selectors.feed_services_at_locations(request.GET, taxonomies), request.GET
    )
    url_for = _url_for(request)
    contents = [
        feed.service_at_location(link.service, link.location, url_for) for link in page.items
    ]
    return page.envelope(contents)


class _Listing:
    """A list already in memory, sliced like a queryset for `selectors.paginate`."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def count(self) -> int:
        return len(self.items)

    def __getitem__(self, index: slice) -> list[Any]:
        return self.items[index]


@oruk_endpoint
def taxonomies(request: ResettleRequest) -> dict[str, Any]:
    page = selectors.paginate(_Listing(feed.Taxonomies().vocabularies), request.GET)
    return page.envelope([feed.taxonomy(vocabulary) for vocabulary in page.items])


@oruk_endpoint
def taxonomy_terms(request: ResettleRequest) -> dict[str, Any]:
    known = feed.Taxonomies()
    terms = known.terms
    taxonomy_id = selectors._uuid(request.GET, "taxonomy_id")
    if taxonomy_id is not None:
        terms = [term for term in terms if term.taxonomy_id == taxonomy_id]
    page = selectors.paginate(_Listing(terms), request.GET)
    return page.envelope([feed.taxonomy_term(term) for term in page.items])


# Import pages -----------------------------------------------------------------------------------

ADMINS_ONLY = "Only your organisation's admins can import services from an Open Referral UK feed."


@require_http_methods(["GET", "POST"])
def import_start(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_import_services(actor):
        return forbidden(request, ADMINS_ONLY)
    assert actor is not None  # may import services, so a current member
    form = FeedUploadForm(bound_data(request), request.FILES or None)
    if response := run_form(
        request,
        form,
        lambda data: form.save(actor=actor),
        success_url=lambda feed_import: reverse(
            "openreferral:import_preview", args=[feed_import.pk]
        ),
    ):
        return response
    page = page_of(request, selectors.imports_for(actor), IMPORTS_PAGE_SIZE)
    return render_form(
        request,
        "openreferral/import_start.html",
        {"form": form, "page_obj": page, "organisation": actor.organisation},
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not policy.can_import_services(actor):
        return forbidden(request, ADMINS_ONLY)
    assert actor is not None  # may import services, so a current member
    feed_import = policy.get_import_for_actor(actor, pk)
    if feed_import.state == FeedImportState.IMPORTED:
        if request.method == "POST":
            messages.info(request, "This feed has already been imported")
        return render(request, "openreferral/import_done.html", {"feed_import": feed_import})
    confirm_errors: list[str] = []
    if request.method == "POST":
        try:
            plan = import_feed(actor=actor, feed_import=feed_import, request=request)
        except ValidationError as error:
            confirm_errors = error.messages
        except ApplicationError as error:
            return forbidden(request, str(error))
        else:
            messages.success(
                request,
                f"{len(plan.creates)} services added and {len(plan.updates)} updated "
                f"from {feed_import.file_name}",
            )
            return redirect("openreferral:import_preview", pk=feed_import.pk)
    plan = plan_import(organisation=actor.organisation, payload=feed_import.payload)
    rows = [{"planned": row, "problems": plan.problems_for(row.row)} for row in plan.rows]
    return render(
        request,
        "openreferral/import_preview.html",
        {
            "feed_import": feed_import,
            "plan": plan,
            "rows": rows,
            "confirm_errors": confirm_errors,
            "payload_size": len(json.dumps(feed_import.payload)),
        },
        status=INVALID_FORM_STATUS if confirm_errors else 200,
    )
