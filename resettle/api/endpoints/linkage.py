"""Record linkage over the API: start a run for a partnership, follow its progress and figures,
and list the pairs it scored (those waiting for review, by default). For organisation admins and
data-protection leads of a member organisation; each side of a pair is shown only as far as the
reviewer may see it, and names a person's id only to someone who may open their record."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.access.rules import linkage as rules
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import ApiProblem
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest
from resettle.linkage import selectors, services
from resettle.linkage.models import LinkageRun, LinkPair, PairStatus, RunKind, RunState
from resettle.people.models import Person

router = Router(tags=["linkage"])


class RunIn(ApiSchema):
    partnership: UUID | None = Field(
        None, description="The partnership to link; by default your organisation's first."
    )
    full: bool = Field(
        False,
        description="Link every record again and train the model again. By default only the "
        "records added or changed since the last finished run are linked, with its model (a "
        "full run when there is none).",
    )
    upper_threshold: float | None = Field(
        None,
        description="Match weight at or above which pairs link without review (-30 to 30, above "
        "the lower threshold). By default the last finished run's, or 1.0. A change links every "
        "record again.",
    )
    lower_threshold: float | None = Field(
        None,
        description="Match weight below which pairs are ignored; between the two they go to "
        "review. By default the last finished run's, or 0.0.",
    )


class RunOut(ApiSchema):
    id: UUID
    partnership: UUID
    state: RunState
    progress: int = Field(description="Per cent done.")
    stage: str | None = Field(description="What the run is doing now.")
    upper_threshold: float = Field(description="Match weight at or above which pairs link.")
    lower_threshold: float = Field(description="Match weight below which pairs are ignored.")
    figures: dict[str, Any] = Field(
        description=(
            "records, pairs, linked, review, clusters, kept_apart, chained_found_different, "
            "seconds, trained, notes."
        )
    )
    kind: RunKind = Field(description="Full, or incremental (new and changed records only).")
    records_linked: int = Field(
        description="Records scored against the rest: every record on a full run, the new and "
        "changed ones on an incremental run."
    )
    based_on: UUID | None = Field(
        description="The finished run an incremental run used the model and pairs of."
    )
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class SideOut(ApiSchema):
    shared: bool = Field(description="False: the record is not shared with your organisation.")
    person: UUID | None = Field(description="The person's id, if you may open their record.")
    fields: dict[str, str] = Field(description="What you may see of the record, by field.")


class PairOut(ApiSchema):
    id: UUID
    status: PairStatus
    match_weight: float
    match_probability: float
    agreed: dict[str, str] = Field(description="Fields that agreed, and how.")
    disagreed: list[str]
    left: SideOut
    right: SideOut


PairPage = page_schema("PairPage", PairOut)


class PairFilters(ApiSchema):
    status: PairStatus = Field(PairStatus.REVIEW, description="Pairs in this status.")


def _run_body(run: LinkageRun) -> dict:
    return RunOut(
        id=run.pk,
        partnership=run.partnership_id,
        state=RunState(run.state),
        progress=run.progress,
        stage=run.stage or None,
        upper_threshold=run.upper_threshold,
        lower_threshold=run.lower_threshold,
        figures=run.figures or {},
        kind=RunKind(run.kind),
        records_linked=run.records_linked,
        based_on=run.based_on_id,
        error=run.error or None,
        created_at=run.created_at,
        finished_at=run.finished_at,
    ).model_dump(mode="json")


def _side(request: ApiRequest, person: Person) -> SideOut:
    actor = actor_of(request)
    side = selectors.side_of(actor=actor, person=person)
    return SideOut(
        shared=side.shared,
        person=person.pk if policy.can_view_person(actor, person) else None,
        fields=side.fields,
    )


def _allowed(request: ApiRequest) -> None:
    if not rules.can_manage_linkage(actor_of(request)):
        raise PermissionDenied(services.NOT_ALLOWED)


@router.post(
    "/runs",
    response={202: RunOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="linkage_run_create",
)
def create_run(request: ApiRequest, payload: RunIn):
    """Start linking the partnership's records in the background (202: poll the `Location`):
    only those added or changed since the last finished run unless `full` is asked for. 409
    while a run is under way for the partnership."""
    _allowed(request)
    actor = acting_member(request)
    allowed = rules.linkage_partnerships(actor)
    partnership = (
        allowed.filter(pk=payload.partnership).first() if payload.partnership else allowed.first()
    )
    if partnership is None:
        raise ApiProblem(404, "No such partnership.")

    def create() -> tuple[int, dict, dict[str, str]]:
        try:
            run = services.linkage_run_request(
                actor=actor,
                partnership=partnership,
                full=payload.full,
                upper_threshold=payload.upper_threshold,
                lower_threshold=payload.lower_threshold,
            )
        except services.RunUnderWay as exc:
            raise ApiProblem(409, exc.message) from exc
        run.refresh_from_db()
        location = request.build_absolute_uri(reverse("api:linkage_run_detail", args=[run.pk]))
        return 202, _run_body(run), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@router.get(
    "/runs/{uuid:run_id}",
    response={200: RunOut, **problems(403, 404)},
    url_name="linkage_run_detail",
)
def get_run(request: ApiRequest, run_id: UUID):
    """One run of your partnerships, with its progress and figures."""
    _allowed(request)
    return _run_body(rules.get_run_for_actor(actor_of(request), run_id))


@router.get("/pairs", response={200: PairPage, **problems(400, 403)}, url_name="linkage_pairs")
def list_pairs(request: ApiRequest, filters: Query[PairFilters], paging: Query[PageParams]):
    """Pairs of the latest run in which your organisation works with at least one record,
    strongest first; by default those waiting for review."""
    _allowed(request)
    actor = actor_of(request)
    pairs = (
        rules.pairs_visible_to(actor)
        .filter(status=filters.status)
        .select_related("left", "right")
        .order_by("-match_weight", "pk")
    )
    page = paginate(request, pairs, paging)
    rows: list[LinkPair] = page["results"]
    page["results"] = [
        PairOut(
            id=pair.pk,
            status=PairStatus(pair.status),
            match_weight=pair.match_weight,
            match_probability=pair.match_probability,
            agreed=pair.agreed,
            disagreed=pair.disagreed,
            left=_side(request, pair.left),
            right=_side(request, pair.right),
        )
        for pair in rows
    ]
    if rows:
        record_event(
            actor=actor,
            action=AuditAction.READ,
            object_type="linkage_review",
            changes={"pairs": [None, str(len(rows))]},
            request=request,
        )
    return page
