"""The audit trail, read-only: a person's access log, or an organisation's own events."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.access.policy import can_view_access_log, can_view_organisation_audit
from resettle.accounts.models import Membership
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import actor_of, problems
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.audit import selectors
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest

router = Router(tags=["audit events"])


class AuditEventOut(ApiSchema):
    id: int = Field(description="Position in the hash chain.")
    at: datetime
    username: str
    user_name: str
    organisation_id: UUID | None
    organisation_name: str
    role: str
    action: AuditAction
    object_type: str
    object_id: str
    person_id: UUID | None
    category: str = Field(description="The data category read or changed, if any.")
    reason: str | None = Field(
        description="Why (for break-glass). Null when you may not see the person concerned."
    )
    changes: dict[str, list[str | None]] | None = Field(
        description="`{field: [old, new]}` for changes. Null when there are none, or when you "
        "may not read that category of the person's record."
    )
    hash: str


AuditEventPage = page_schema("AuditEventPage", AuditEventOut)


class AuditEventFilters(ApiSchema):
    person: UUID | None = Field(
        None, description="A person's id: who has accessed their record, newest first."
    )


NO_ACCESS_LOG = (
    "Only caseworkers, referrers and safeguarding leads working with this person can see who "
    "has accessed their record."
)
NO_ORGANISATION_LOG = (
    "Give `person` to see who has accessed a person's record; only organisation admins may "
    "list their organisation's events."
)


def _as_shown(actor: Membership | None, events: Iterable[AuditEvent]) -> list[dict]:
    """What of each event the actor may see: the reason and changes about a person only when
    they may see that person, and changes only in categories they may read (the history of a
    field must not leak what the field itself would not show)."""
    events = list(events)
    person_ids = {event.person_id for event in events if event.person_id}
    people = policy.people_visible_to(actor).filter(pk__in=person_ids) if person_ids else []
    readable = {person.pk: policy.categories_visible(actor, person) for person in people}
    shown = []
    for event in events:
        body = AuditEventOut.from_orm(event).model_dump()
        if event.person_id is not None:
            if event.person_id not in readable:
                body["reason"] = None
            if event.category not in readable.get(event.person_id, ()):
                body["changes"] = None
        shown.append(body)
    return shown


@router.get(
    "", response={200: AuditEventPage, **problems(400, 403, 404)}, url_name="audit_event_list"
)
def list_audit_events(
    request: ApiRequest, filters: Query[AuditEventFilters], paging: Query[PageParams]
):
    """With `person`: everything recorded about that person, by anyone, newest first (for
    caseworkers, referrers and safeguarding leads working with them). Without: organisation
    admins get their own organisation's events. Reading the log is itself recorded."""
    actor = actor_of(request)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        if not can_view_access_log(actor, person):
            raise PermissionDenied(NO_ACCESS_LOG)
        events = selectors.person_access_log(actor=actor, person=person)
        record_event(
            actor=actor,
            action=AuditAction.READ,
            object_type="access_log",
            object_id=person.pk,
            person=person,
            request=request,
        )
    elif actor is not None and can_view_organisation_audit(actor):
        events = selectors.organisation_audit_events(actor=actor)
        record_event(
            actor=actor,
            action=AuditAction.READ,
            object_type="organisation_audit",
            object_id=actor.organisation_id,
            request=request,
        )
    else:
        raise PermissionDenied(NO_ORGANISATION_LOG)
    page = paginate(request, events, paging)
    page["results"] = _as_shown(actor, page["results"])
    return page
