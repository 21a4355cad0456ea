"""Merging two records of one person over the API, and undoing it: for the linkage reviewers
(organisation admins and data-protection leads) of the one organisation holding both records.
A merge answers with what moved; undoing it with what stayed on the survivor because it was
recorded after the merge, and what could not be put back."""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Router
from pydantic import Field

from resettle.access.rules import merging as rules
from resettle.api.base import ApiSchema
from resettle.api.concurrency import expected_version, version_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import ApiProblem, field_errors, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest
from resettle.people import merging
from resettle.people.models import MergedRowAction, PersonMerge

router = Router(tags=["linkage"])


class MergeIn(ApiSchema):
    survivor: UUID | None = Field(None, description="The record that stays.")
    merged: UUID | None = Field(None, description="The record merged into it.")
    reason: str | None = Field(None, description="Why they are one person's records.")


class UnmergeIn(ApiSchema):
    reason: str | None = Field(None, description="Why the merge is undone.")


class MergeOut(ApiSchema):
    id: UUID
    survivor: UUID
    merged: UUID
    reason: str
    merged_at: datetime
    moved: dict[str, int] = Field(description="Rows moved to the survivor, by kind.")
    set_aside: dict[str, int] = Field(
        description="Rows of the merged record set aside as duplicates of the survivor's, by kind."
    )
    undone: bool
    unmerged_at: datetime | None
    unmerge_reason: str | None
    kept_on_survivor: dict[str, int] = Field(
        description="When undone: rows recorded on the survivor after the merge, which stayed."
    )
    not_restored: dict[str, int] = Field(
        description="When undone: rows the merge moved that were deleted since, by kind."
    )


def _body(merge: PersonMerge) -> dict:
    counts = merging.merged_rows(merge)
    return MergeOut(
        id=merge.pk,
        survivor=merge.survivor_id,
        merged=merge.merged_id,
        reason=merge.reason,
        merged_at=merge.created_at,
        moved=counts.get(MergedRowAction.MOVED, {}),
        set_aside=counts.get(MergedRowAction.REMOVED, {}),
        undone=merge.undone,
        unmerged_at=merge.unmerged_at,
        unmerge_reason=merge.unmerge_reason or None,
        kept_on_survivor=merge.kept_on_survivor,
        not_restored=merge.not_restored,
    ).model_dump(mode="json")


def _allowed(request: ApiRequest) -> None:
    if not rules.can_merge(actor_of(request)):
        raise PermissionDenied(merging.NOT_ALLOWED)


def _stale(merge: PersonMerge) -> ApiProblem:
    return ApiProblem(
        409,
        "This merge has changed since you read it. Fetch it again, then act with the new ETag "
        "in If-Match.",
        headers={"ETag": version_etag(merge)},
    )


@router.post(
    "/merges",
    response={201: MergeOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="person_merge_create",
)
def create_merge(request: ApiRequest, payload: MergeIn):
    """Merge `merged` into `survivor`: two records of one person that only your organisation
    holds and works with now. 422 when they cannot be merged (held by another organisation
    too, already merged, or holding what a person can hold only one of, such as two live cases
    with one organisation), with what to put right."""
    _allowed(request)
    actor = acting_member(request)
    missing = [
        {"field": name, "message": "This field is required."}
        for name in ("survivor", "merged", "reason")
        if not getattr(payload, name)
    ]
    if missing:
        raise invalid_input(missing)
    survivor = named_in_body("survivor", rules.get_person_to_merge, actor, payload.survivor)
    merged = named_in_body("merged", rules.get_person_to_merge, actor, payload.merged)

    def create() -> tuple[int, dict, dict[str, str]]:
        try:
            merge = merging.person_merge(
                actor=actor,
                survivor=survivor,
                merged=merged,
                reason=payload.reason or "",
                request=request,
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:person_merge_detail", args=[merge.pk]))
        return 201, _body(merge), {"Location": location, "ETag": version_etag(merge)}

    return idempotent(request, client_of(request).user, create)


@router.get(
    "/merges/{uuid:merge_id}",
    response={200: MergeOut, **problems(403, 404)},
    url_name="person_merge_detail",
)
def get_merge(request: ApiRequest, merge_id: UUID, response: HttpResponse):
    """One of your organisation's merges: what moved and, once undone, what stayed."""
    _allowed(request)
    merge = rules.get_merge_for_actor(actor_of(request), merge_id)
    response["ETag"] = version_etag(merge)
    return _body(merge)


@router.post(
    "/merges/{uuid:merge_id}/unmerge",
    response={200: MergeOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IF_MATCH, IDEMPOTENCY_KEY]},
    url_name="person_merge_unmerge",
)
def unmerge(request: ApiRequest, merge_id: UUID, payload: UnmergeIn):
    """Undo a merge: both records as they were, but what was recorded on the survivor after
    the merge stays there (`kept_on_survivor`). 422 when it was already undone."""
    _allowed(request)
    actor = acting_member(request)

    def undo() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            merge = rules.get_merge_for_actor(actor, merge_id)
            try:
                done = merging.person_unmerge(
                    actor=actor,
                    merge=merge,
                    reason=payload.reason or "",
                    expected_version=expected_version(request, merge, _stale),
                    request=request,
                )
            except merging.StaleMerge as exc:
                merge.refresh_from_db()
                raise _stale(merge) from exc
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _body(done), {"ETag": version_etag(done)}

    return idempotent(request, client_of(request).user, undo)
