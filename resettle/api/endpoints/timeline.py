"""A person's timeline over the API (DESIGN §6): the same events as the timeline page, from the
same selector, so each part is read through the policy and restricted pieces (licence
conditions, a recall's reason, a sensitive note) are left out, never shown redacted. Reading
other organisations' records on it is audited, as on the page."""

from datetime import date
from enum import StrEnum
from uuid import UUID

from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import actor_of, problems
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.http import ApiRequest
from resettle.custody import selectors
from resettle.custody.selectors import TimelineEntry

router = Router(tags=["people"])


class TimelineKind(StrEnum):
    CUSTODY = "custody"
    CASE = "case"
    CONTACT = "contact"
    APPOINTMENT = "appointment"
    SESSION = "session"
    REFERRAL = "referral"
    GOAL = "goal"
    OFFENCE = "offence"


# The page's kinds and the API's are one list.
assert {k.value for k in TimelineKind} == set(selectors.TIMELINE_KINDS)


class TimelineEntryOut(ApiSchema):
    on: date
    kind: TimelineKind
    title: str
    by: str = Field(description="Who recorded it, or empty.")
    organisation: str = Field(description="The organisation whose record it is, or empty.")
    lines: list[str] = Field(description="The details the page shows under the title.")
    page: str | None = Field(description="The path of the page that shows it, if there is one.")


TimelinePage = page_schema("TimelinePage", TimelineEntryOut)


class TimelineFilters(ApiSchema):
    kind: list[TimelineKind] | None = Field(
        None, description="Only these kinds of event (repeat the parameter for several)."
    )


def _body(entry: TimelineEntry) -> dict:
    return TimelineEntryOut(
        on=entry.on,
        kind=TimelineKind(entry.kind),
        title=entry.title,
        by=entry.by,
        organisation=entry.organisation,
        lines=entry.lines,
        page=entry.link or None,
    ).model_dump(mode="json")


@router.get(
    "/{uuid:person_id}/timeline",
    response={200: TimelinePage, **problems(400, 404)},
    url_name="person_timeline",
)
def person_timeline(
    request: ApiRequest,
    person_id: UUID,
    filters: Query[TimelineFilters],
    paging: Query[PageParams],
):
    """Everything that happened around the person that you may see, newest first: custody,
    case events, contacts, appointments, sessions, referrals and goals. 404 if you may not see
    the person."""
    actor = actor_of(request)
    person = policy.get_person_for_actor(actor, person_id)
    kinds = {kind.value for kind in filters.kind} if filters.kind else None
    entries = selectors.person_timeline(actor=actor, person=person, kinds=kinds, request=request)
    page = paginate(request, entries, paging)
    page["results"] = [_body(entry) for entry in page["results"]]
    return page
