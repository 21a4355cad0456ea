"""Optimistic concurrency: detail responses carry an `ETag`; a PATCH with `If-Match` is refused
with 409 when the record has changed since the client read it, so no one's edit is lost.

Records that count their own versions (a `version` field the service checks under a lock) take
their ETag from it, and the service, not this module, refuses a stale version."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from resettle.api.errors import ApiProblem
from resettle.core.models import TimestampedModel


def etag_for(record: TimestampedModel) -> str:
    version = f"{record._meta.label}:{record.pk}:{record.updated_at.isoformat()}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def set_etag(response: HttpResponse, record: TimestampedModel) -> None:
    response["ETag"] = etag_for(record)


def check_if_match(request: HttpRequest, record: TimestampedModel) -> None:
    """`If-Match` is optional; when sent it must name the current version (or be `*`).

    Call inside the transaction that makes the change: the row is locked until it commits, so
    no other write can slip in between this check and the update."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    offered = {tag.strip() for tag in header.split(",")}
    current = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if "*" in offered or etag_for(current) in offered:
        return
    raise ApiProblem(
        409,
        "This record has changed since you read it. Fetch it again, then resend your change "
        "with the new ETag in If-Match.",
    )


def version_etag(record: Any) -> str:
    """The ETag of a record with a `version` field."""
    version = f"{record._meta.label}:{record.pk}:{record.version}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def stale_version(record: Any) -> ApiProblem:
    return ApiProblem(
        409,
        "This record has changed since you read it. Fetch it again, then resend your change "
        "with the new ETag in If-Match.",
        headers={"ETag": version_etag(record)},
    )


def expected_version(
    request: HttpRequest, record: Any, stale: Callable[[Any], ApiProblem] = stale_version
) -> int | None:
    """The version `If-Match` names, for the service to check under its lock: None when it is
    not sent or is `*`; `stale(record)` raised when it names another."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    offered = {tag.strip() for tag in header.split(",")}
    if "*" in offered:
        return None
    if version_etag(record) in offered:
        return record.version
    raise stale(record)
