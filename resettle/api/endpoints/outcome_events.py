"""Criminal justice outcome events over the API (DESIGN §6): further offences, arrests,
convictions and cautions as recorded, and recalls read from the custody record (`kind`
`recall`, `source` `custody_record`; recorded through `custody-periods`). Offence information:
the same rules as the pages, and every read is audited."""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import field_errors, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.http import ApiRequest
from resettle.evaluation import selectors, services
from resettle.evaluation.models import RECALL, OffenceCategory, OutcomeEventKind, OutcomeSource

router = Router(tags=["outcome-events"])

KINDS = [*OutcomeEventKind.values, RECALL]


class OutcomeEventOut(ApiSchema):
    id: UUID
    person: UUID
    kind: str = Field(description=f"One of {', '.join(KINDS)}.")
    occurred_on: date
    offence_category: str | None = Field(
        description="The offence group; for a recall, its coded reason. Null if not recorded."
    )
    source: str = Field(description="Where it came from; `custody_record` for a recall.")
    note: str
    recorded: bool = Field(description="False for a recall, read from the custody record.")


OutcomeEventPage = page_schema("OutcomeEventPage", OutcomeEventOut)


class OutcomeEventFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's outcomes.")
    kind: str | None = Field(None, description=f"One of {', '.join(KINDS)}.")


class OutcomeEventCreate(ApiSchema):
    person: UUID
    kind: OutcomeEventKind
    occurred_on: date = Field(description="Today or in the past.")
    offence_category: OffenceCategory
    source: OutcomeSource
    note: str = Field("", max_length=1000)


def _body(row: selectors.OutcomeRow) -> dict:
    return OutcomeEventOut(
        id=row.id,
        person=row.person_id,
        kind=row.kind,
        occurred_on=row.occurred_on,
        offence_category=row.offence_category or None,
        source=row.source,
        note=row.note,
        recorded=row.recorded,
    ).model_dump(mode="json")


@router.get(
    "", response={200: OutcomeEventPage, **problems(400, 404)}, url_name="outcome_event_list"
)
def list_outcome_events(
    request: ApiRequest, filters: Query[OutcomeEventFilters], paging: Query[PageParams]
):
    """Outcomes of the people whose offence information you may see, latest first. With
    `person`, 404 unless you may see that person."""
    actor = actor_of(request)
    if filters.kind is not None and filters.kind not in KINDS:
        raise invalid_input([{"field": "kind", "message": f"Use one of {', '.join(KINDS)}"}])
    person = policy.get_person_for_actor(actor, filters.person) if filters.person else None
    rows = selectors.outcome_rows(actor=actor, person=person, kind=filters.kind or "")
    page = paginate(request, rows, paging)
    shown = selectors.as_outcome_rows(page["results"])
    selectors.audit_outcome_reads(actor=actor, rows=shown, request=request)
    page["results"] = [_body(row) for row in shown]
    return page


@router.get(
    "/{uuid:event_id}",
    response={200: OutcomeEventOut, **problems(404)},
    url_name="outcome_event_detail",
)
def get_outcome_event(request: ApiRequest, event_id: UUID):
    """One outcome (a recorded event or a recall): 404 unless you may see it."""
    actor = actor_of(request)
    row = selectors.outcome_row(actor=actor, event_id=event_id)
    selectors.audit_outcome_reads(actor=actor, rows=[row], request=request)
    return _body(row)


@router.post(
    "",
    response={201: OutcomeEventOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="outcome_event_create",
)
def create_outcome_event(request: ApiRequest, payload: OutcomeEventCreate):
    """Record a further offence, arrest, conviction or caution: probation and prison staff who
    may see the person's offence information (403 otherwise). A person you cannot see is
    invalid input (400). Record a recall on the custody period instead."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        person = named_in_body("person", policy.get_person_for_actor, actor, payload.person)
        data = {
            "kind": str(payload.kind.value),
            "occurred_on": payload.occurred_on,
            "offence_category": str(payload.offence_category.value),
            "source": str(payload.source.value),
            "note": payload.note,
        }
        with transaction.atomic():
            try:
                event = services.outcome_event_record(
                    actor=acting_member(request), person=person, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        row = selectors.outcome_row(actor=actor, event_id=event.pk)
        location = request.build_absolute_uri(reverse("api:outcome_event_detail", args=[event.pk]))
        return 201, _body(row), {"Location": location}

    return idempotent(request, client_of(request).user, create)
