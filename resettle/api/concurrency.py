"""Optimistic concurrency: detail responses carry an `ETag`; a PATCH with `If-Match` is refused
with 409 when the record has changed since the client read it, so no one's edit is lost."""

import hashlib

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
