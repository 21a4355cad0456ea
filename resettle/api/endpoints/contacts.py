"""Contacts over the API (DESIGN §6): the same rules as the pages. An organisation sees its own
contacts and, where case notes are shared, partners' non-sensitive ones; a sensitive note never
leaves the organisation that recorded it. Reading notes of other organisations, or sensitive
notes, is audited."""

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.accounts.models import Membership
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
from resettle.contacts import selectors, services
from resettle.contacts.models import CancelledBy, Contact, ContactKind, ContactOutcome
from resettle.core.http import ApiRequest
from resettle.core.pathways import Pathway

router = Router(tags=["contacts"])


class ContactOut(ApiSchema):
    id: UUID
    person: UUID
    case: UUID
    organisation: UUID
    kind: ContactKind
    happened_at: datetime
    outcome: ContactOutcome
    cancelled_by: CancelledBy | None = Field(description="Who cancelled; null unless cancelled.")
    duration_minutes: int | None
    pathways: list[Pathway]
    sensitive: bool
    note: str | None = Field(
        description="The note. Present only where you may read it: your organisation's notes "
        "(a peer mentor: their mentees', and only their own sensitive ones) and partners' "
        "non-sensitive notes where case notes are shared."
    )
    created_at: datetime


ContactPage = page_schema("ContactPage", ContactOut)


class ContactFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's contacts.")
    case: UUID | None = Field(None, description="Only this case's contacts.")
    outcome: ContactOutcome | None = None
    happened_after: datetime | None = None
    happened_before: datetime | None = None


class ContactCreate(ApiSchema):
    case: UUID = Field(description="A live case of your organisation.")
    kind: ContactKind
    happened_at: datetime = Field(description="Not in the future, not before the case opened.")
    outcome: ContactOutcome
    cancelled_by: CancelledBy | None = Field(
        None, description="Needed when, and only when, cancelled."
    )
    duration_minutes: int | None = Field(None, ge=1, le=24 * 60)
    pathways: list[Pathway] = Field(default_factory=list)
    note: str = Field("", max_length=4000)
    sensitive: bool = Field(False, description="Only your organisation may read a sensitive note.")


def _body(contact: Contact) -> dict:
    return ContactOut(
        id=contact.pk,
        person=contact.person_id,
        case=contact.case_id,
        organisation=contact.organisation_id,
        kind=ContactKind(contact.kind),
        happened_at=contact.happened_at,
        outcome=ContactOutcome(contact.outcome),
        cancelled_by=CancelledBy(contact.cancelled_by) if contact.cancelled_by else None,
        duration_minutes=contact.duration_minutes,
        pathways=contact.pathways,
        sensitive=contact.sensitive,
        # Every contact the policy shows is one whose note the actor may read.
        note=contact.note,
        created_at=contact.created_at,
    ).model_dump(mode="json")


def _audit(request: ApiRequest, actor: Membership | None, contacts: list[Contact]) -> None:
    # One insert for the whole page, however many people it shows.
    selectors.audit_note_reads_for_list(actor=actor, contacts=contacts, request=request)


@router.get("", response={200: ContactPage, **problems(400, 404)}, url_name="contact_list")
def list_contacts(request: ApiRequest, filters: Query[ContactFilters], paging: Query[PageParams]):
    """Contacts you may see, newest first. With `person`, 404 unless you may see that person."""
    actor = actor_of(request)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        contacts = policy.contacts_for_person(actor, person)
    else:
        contacts = policy.contacts_visible_to(actor)
    if filters.case is not None:
        contacts = contacts.filter(case_id=filters.case)
    if filters.outcome is not None:
        contacts = contacts.filter(outcome=filters.outcome)
    if filters.happened_after is not None:
        contacts = contacts.filter(happened_at__gte=filters.happened_after)
    if filters.happened_before is not None:
        contacts = contacts.filter(happened_at__lt=filters.happened_before)
    contacts = contacts.order_by("-happened_at", "-created_at")
    page = paginate(request, contacts, paging)
    _audit(request, actor, page["results"])
    page["results"] = [_body(contact) for contact in page["results"]]
    return page


@router.get(
    "/{uuid:contact_id}", response={200: ContactOut, **problems(404)}, url_name="contact_detail"
)
def get_contact(request: ApiRequest, contact_id: UUID):
    """One contact: 404 unless you may see it."""
    actor = actor_of(request)
    contact = policy.get_contact_for_actor(actor, contact_id)
    _audit(request, actor, [contact])
    return _body(contact)


@router.post(
    "",
    response={201: ContactOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="contact_create",
)
def create_contact(request: ApiRequest, payload: ContactCreate):
    """Record a contact on a live case of your organisation (a peer mentor: a case they mentor).
    A case you cannot see is invalid input (400); one of another organisation is 403; a closed
    case is 422 (reopen it first)."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        case = named_in_body("case", policy.get_case_for_actor, actor, payload.case)
        data = payload.model_dump(mode="python", exclude={"case"})
        data["cancelled_by"] = data["cancelled_by"] or ""
        data["pathways"] = [str(p.value if hasattr(p, "value") else p) for p in data["pathways"]]
        data["kind"] = str(payload.kind.value)
        data["outcome"] = str(payload.outcome.value)
        if payload.cancelled_by is not None:
            data["cancelled_by"] = str(payload.cancelled_by.value)
        with transaction.atomic():
            try:
                contact = services.contact_record(
                    actor=acting_member(request), case=case, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:contact_detail", args=[contact.pk]))
        return 201, _body(contact), {"Location": location}

    return idempotent(request, client_of(request).user, create)
