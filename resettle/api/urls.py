from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.views.decorators.csrf import csrf_exempt

from resettle.api.api import api
from resettle.api.errors import NOT_FOUND_DETAIL, problem_response


def _as_api_view(view):
    """Ninja answers a wrong method with a bare 405; clients get a problem like every other
    error. The API authenticates with tokens, so the sign-in redirect for pages never applies."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = problem_response(
                request, 405, f"{request.method} is not allowed here. Allowed: {allowed}."
            )
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return login_not_required(wrapped)


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    """Where to start: the schema and the docs (ninja's own root view only raises a 404)."""
    return JsonResponse(
        {
            "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
            "docs": request.build_absolute_uri(reverse("api:openapi-view")),
        }
    )


@csrf_exempt  # a POST to a path that does not exist gets the API's 404, not a CSRF page
@login_not_required
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    return problem_response(request, 404, NOT_FOUND_DETAIL)


ninja_patterns, _app, _namespace = api.urls

app_name = "api"
urlpatterns = [
    URLPattern(
        p.pattern,
        index if p.name == "api-root" else _as_api_view(p.callback),
        p.default_args,
        p.name,
    )
    for p in ninja_patterns
    if isinstance(p, URLPattern)  # ninja makes only patterns, no resolvers
] + [re_path(r"^(?P<path>.*)$", not_found, name="not_found")]
