"""A case's history over the API (DESIGN §6): opened, paused, resumed, allocated, reviewed,
closed, reopened, as the case page lists it. Whoever may see the case sees its history; another
organisation's case is case notes, so reading it is audited."""

from datetime import date, datetime
from uuid import UUID

from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import actor_of, problems
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.cases import selectors
from resettle.cases.models import CaseEvent, CaseEventKind
from resettle.core.http import ApiRequest

router = Router(tags=["cases"])


class CaseEventOut(ApiSchema):
    id: UUID
    case: UUID
    kind: CaseEventKind
    on: date
    by: int | None = Field(description="The user id of whoever recorded it.")
    by_name: str = Field(description="Their name, or empty.")
    note: str
    recorded_at: datetime


CaseEventPage = page_schema("CaseEventPage", CaseEventOut)


def _body(event: CaseEvent) -> dict:
    by = event.by
    return CaseEventOut(
        id=event.pk,
        case=event.case_id,
        kind=CaseEventKind(event.kind),
        on=event.on,
        by=event.by_id,
        by_name=(by.get_full_name() or by.get_username()) if by is not None else "",
        note=event.note,
        recorded_at=event.created_at,
    ).model_dump(mode="json")


@router.get(
    "/{uuid:case_id}/events",
    response={200: CaseEventPage, **problems(400, 404)},
    url_name="case_events",
)
def list_case_events(request: ApiRequest, case_id: UUID, paging: Query[PageParams]):
    """The case's history, oldest first. 404 if you may not see the case."""
    actor = actor_of(request)
    case = policy.get_case_for_actor(actor, case_id)
    selectors.record_case_read(actor=actor, case=case, request=request)
    page = paginate(request, selectors.case_events(case), paging)
    page["results"] = [_body(event) for event in page["results"]]
    return page
