"""The bench's baseline: the smallest Django view, served by the same server, settings and
middleware as every page measured, so each endpoint's throughput can be read against it."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain")
