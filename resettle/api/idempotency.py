"""`Idempotency-Key` on POST: a client that retries a create (after a timeout, say) gets the
first response again instead of making a second record."""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from resettle.accounts.models import User
from resettle.api.errors import ApiProblem
from resettle.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Response headers worth replaying (the body already holds the rest).
REPLAYED_HEADERS = ("ETag", "Location")


def _request_hash(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path and JSON content (not its layout)."""
    try:
        content = json.dumps(json.loads(request.body), sort_keys=True).encode()
    except ValueError:
        content = request.body
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(content)
    return digest.hexdigest()


def _json_response(status: int, body, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in headers.items():
        response[name] = value
    return response


def idempotent(
    request: HttpRequest, user: User, create: Callable[[], tuple[int, dict, dict[str, str]]]
) -> HttpResponse:
    """Run `create` (returning status, a JSON-ready body and headers) once per key.

    Only successful responses are kept: a client whose request was refused may fix it and
    retry with the same key. The record is written in the same transaction as the change, so
    either both exist or neither does."""
    key = request.headers.get(HEADER)
    if key is None:
        return _json_response(*create())
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ApiProblem(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.")
    request_hash = _request_hash(request)
    cutoff = timezone.now() - KEPT_FOR
    # Forgetting every expired record here keeps the table to a day's worth without a job.
    IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if stored is not None:
        if stored.request_hash != request_hash:
            raise ApiProblem(422, f"This {HEADER} was used for a different request. Use a new key.")
        response = _json_response(
            stored.response_status, stored.response_body, stored.response_headers
        )
        response["Idempotent-Replayed"] = "true"
        return response
    with transaction.atomic():
        status, body, headers = create()
        if 200 <= status < 300:
            _remember(user, key, request_hash, status, body, headers)
    return _json_response(status, body, headers)


def _remember(
    user: User, key: str, request_hash: str, status: int, body, headers: dict[str, str]
) -> None:
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                request_hash=request_hash,
                response_status=status,
                response_body=body,
                response_headers={k: v for k, v in headers.items() if k in REPLAYED_HEADERS},
            )
    except IntegrityError as exc:
        # Another request with this key finished first; raising undoes this one's change.
        raise ApiProblem(
            409, f"A request with this {HEADER} was being processed at the same time. Retry it."
        ) from exc
