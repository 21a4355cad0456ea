from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from resettle.core.http import ResettleRequest
from resettle.operations.readiness import readiness


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: ResettleRequest) -> HttpResponse:
    """For load balancers and monitors: the process answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def readyz(request: ResettleRequest) -> JsonResponse:
    """For orchestrators: 200 when this process should get traffic, 503 saying which check
    failed (database, migrations, task worker) when it should not."""
    checks = readiness()
    ready = all(check.ok for check in checks)
    return JsonResponse(
        {
            "status": "ready" if ready else "not ready",
            "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
        },
        status=200 if ready else 503,
    )
