"""The bench's baselines, served by the same server, settings and middleware as every page
measured, so each endpoint's throughput can be read against them: the smallest Django view;
the same for a signed-in user past two-factor (session, user, device, organisation); and an
empty page in the service's layout (header, menus, footer) for that user."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.views.decorators.http import require_GET

LAYOUT = engines["django"].from_string(
    '{% extends "layouts/two_thirds.html" %}{% block title %}Bench{% endblock %}'
    '{% block main %}<h1 class="govuk-heading-l">Bench</h1>{% endblock %}'
)


@login_not_required
@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain")


@require_GET
def signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"Hello, {request.user.get_username()}", content_type="text/plain")


@require_GET
def layout(request: HttpRequest) -> HttpResponse:
    return HttpResponse(LAYOUT.render({}, request))
