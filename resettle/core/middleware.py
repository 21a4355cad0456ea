"""Operational middleware: one log line per request that an operator can search by request id
without reading anyone's personal data, and personal pages that no cache keeps."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("resettle.request")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestLogMiddleware:
    """Logs method, route pattern, status, duration and user id. The route is the URL pattern
    (`people/<uuid:pk>/`), never the path or query string, which hold ids and search words
    (names, dates of birth, identifiers); the request id comes from django-guid's filter."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": match.route if match else "(unmatched)",
                "view": match.view_name if match else "",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class PrivateResponsesMiddleware:
    """Anything served to a signed-in user or to an API token may hold personal data: neither a
    shared proxy nor the browser's back button may keep it (`Cache-Control: no-store`)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "Authorization" in request.headers:
            add_never_cache_headers(response)  # no-store, no-cache, private
        return response
