from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_http_methods

from resettle.access.models import BreakGlassAccess
from resettle.access.policy import (
    can_administer_staff,
    can_create_person,
    can_import_services,
    can_view_case_records,
    can_view_partnership_overview,
    can_view_person,
)
from resettle.accounts import selectors as account_selectors
from resettle.api.errors import problem_response
from resettle.core.http import AuthenticatedRequest
from resettle.suitability.selectors import review_requests_for_assessor
from resettle.web import selectors

HOME_PEOPLE_SHOWN = 10


@require_http_methods(["GET"])
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Each role's landing page, from what that role may see."""
    actor = request.actor
    if actor is None:
        return render(request, "web/home_no_membership.html")
    if can_view_case_records(actor):
        people_count = selectors.visible_people_count(actor=actor)
        return render(
            request,
            "web/home_casework.html",
            {
                "people_count": people_count,
                "people": selectors.recently_updated_people(
                    actor=actor, limit=HOME_PEOPLE_SHOWN, people_count=people_count
                ),
                "can_create_person": can_create_person(actor),
                "review_requests": review_requests_for_assessor(actor=actor),
                "work": selectors.work_summary(actor=actor),
                "open_break_glass": _open_break_glass(actor),
            },
        )
    if can_view_partnership_overview(actor):
        return render(
            request,
            "web/home_overview.html",
            {"organisations": account_selectors.organisation_summaries(actor=actor)},
        )
    return render(
        request,
        "web/home_admin.html",
        {
            "members": account_selectors.organisation_members(
                actor=actor, organisation=actor.organisation
            ),
            "can_import_services": can_import_services(actor),
            "can_administer_staff": can_administer_staff(actor),
        },
    )


def _open_break_glass(actor) -> list[tuple[BreakGlassAccess, bool]] | None:
    """For a safeguarding lead: their organisation's open break-glass accesses, each with
    whether the lead may see the person (the name is shown only then)."""
    if not actor.is_safeguarding_lead:
        return None
    accesses = list(account_selectors.open_break_glass_of_organisation(actor=actor))
    return [(access, can_view_person(actor, access.person)) for access in accesses]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        # An address no operation answers (an id that is not a UUID, a mistyped path).
        return problem_response(request, 404, "There is nothing at this address.")
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem_response(
            request, 500, "Something went wrong on our side; nothing was saved. Try again later."
        )
    # No request context: context processors may query the database that just failed.
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
