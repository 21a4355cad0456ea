from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router

from resettle.access import policy, registry
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.api.concurrency import check_if_match, etag_for, set_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import field_errors, invalid_input
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, paginate
from resettle.api.schemas import (
    IdentifierSchema,
    PersonCreate,
    PersonFilters,
    PersonOut,
    PersonPage,
    PersonUpdate,
)
from resettle.audit.services import record_read, record_reads
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest
from resettle.people import selectors, services
from resettle.people.categories import (
    PERSON_FIELDS,
    contact_shared_ids,
    shown_identifiers_for,
)
from resettle.people.choices import IdentifierScheme
from resettle.people.models import Person

router = Router(tags=["people"])

# The address is a separate record; its errors are reported under `address.`.
ADDRESS_FIELDS = frozenset({"kind", "line_1", "line_2", "town", "postcode", "from_date"})


def _identifier_field(sent: list[IdentifierSchema]):
    """Services key identifier errors by scheme; clients sent a list, so point at the item."""
    positions = {item.scheme.value: index for index, item in enumerate(sent)}

    def rename(field: str) -> str:
        if field in positions:
            return f"identifiers.{positions[field]}.value"
        if field in IdentifierScheme.values:
            return f"identifiers.{field}"
        return field

    return rename


def _identifiers_replacing(sent: list[IdentifierSchema], schemes: list[str]) -> dict[str, str]:
    # A scheme left out of the list is removed: the list sent is the whole set of those the
    # actor may see (`schemes`). The others are not theirs to see, so not theirs to remove;
    # sending one is refused by the service.
    wanted = {item.scheme.value: item.value for item in sent}
    return {scheme: "" for scheme in schemes} | wanted


CONTACT_FIELDS = frozenset(f for f, c in PERSON_FIELDS.items() if c == Category.CONTACT)
CONTACT_NOT_SHARED = (
    "This person's contact details are not shared with your organisation, so you cannot "
    "change them."
)
CONTACT_NOT_RECEIVED = (
    "No sharing agreement gives your organisation contact details, so it cannot record them. "
    "Leave out phone, email and address."
)


def _person_body(person: Person) -> dict:
    return PersonOut.from_orm(person).model_dump(mode="json")


def _with_categories(
    actor: Membership | None, person: Person, categories: frozenset[str] | None = None
) -> Person:
    """Mark what of the person's record the answer may show (see PersonOut): contact details,
    and the identifiers whose scheme's category the actor may see."""
    if categories is None:
        categories = policy.categories_visible(actor, person)
    person.categories = categories
    person.contact_shared = Category.CONTACT in categories
    prefetch_related_objects([person], shown_identifiers_for(categories))
    return person


def _shown(person: Person) -> list[str]:
    shown: list[str] = (
        [Category.IDENTITY, Category.CONTACT] if person.contact_shared else [Category.IDENTITY]
    )
    beyond = {registry.identifier_category(i.scheme) for i in person.shown_identifiers}
    return shown + sorted(beyond - {Category.IDENTITY})


@router.get("", response={200: PersonPage, **problems(400, 404)}, url_name="person_list")
def list_people(request: ApiRequest, filters: Query[PersonFilters], paging: Query[PageParams]):
    """People whose record you may see. With `q`, ranked by how well they match. Contact
    details are null for people whose contact details are not shared with you."""
    actor = actor_of(request)
    # Everyone the actor may see is counted from the working relationships, not the records.
    unfiltered = not filters.q.strip() and filters.date_of_birth is None
    count = policy.count_people_visible_to(actor) if unfiltered else None
    people = selectors.person_list(
        actor=actor, query=filters.q, date_of_birth=filters.date_of_birth, visible_count=count
    )
    page = paginate(request, people, paging, count=count)
    results = page["results"]
    shared = contact_shared_ids(actor, [person.pk for person in results])
    for person in results:
        person.contact_shared = person.pk in shared
    selectors.with_identifiers(actor, results)
    prefetch_related_objects(results, "other_names")
    prefetch_related_objects([p for p in results if p.contact_shared], "addresses")
    # A list shows identity to anyone who may search; contact details and criminal-justice
    # identifiers are the sensitive reads.
    reads = [
        (person.pk, category)
        for person in results
        for category in _shown(person)
        if category != Category.IDENTITY
    ]
    record_reads(actor=actor, reads=reads, request=request)
    return page


@router.get(
    "/{uuid:person_id}", response={200: PersonOut, **problems(404)}, url_name="person_detail"
)
def get_person(request: ApiRequest, person_id: UUID, response: HttpResponse):
    """A person's record. The `ETag` header is the version to send back in `If-Match`. Contact
    details (`phone`, `email`, `address`) are null when they are not shared with you."""
    actor = actor_of(request)
    person = _with_categories(actor, policy.get_person_for_actor(actor, person_id))
    record_read(actor=actor, person=person, categories=_shown(person), request=request)
    set_etag(response, person)
    return person


@router.post(
    "",
    response={201: PersonOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="person_create",
)
def create_person(request: ApiRequest, payload: PersonCreate):
    """Add a person; your organisation starts working with them. Nothing is saved unless all of
    it (identifiers and address included) is valid."""
    actor = actor_of(request)
    sends_contact = payload.phone or payload.email or payload.address is not None
    if sends_contact and Category.CONTACT not in policy.agreement_grants(actor):
        raise PermissionDenied(CONTACT_NOT_RECEIVED)

    def create() -> tuple[int, dict, dict[str, str]]:
        data = payload.model_dump(exclude={"identifiers", "address"})
        identifiers = {item.scheme.value: item.value for item in payload.identifiers}
        with transaction.atomic():
            try:
                person = services.person_create(
                    actor=acting_member(request), data=data, identifiers=identifiers
                )
            except ValidationError as exc:
                raise invalid_input(
                    field_errors(exc, _identifier_field(payload.identifiers))
                ) from exc
            if payload.address is not None:
                try:
                    services.address_add(
                        actor=acting_member(request),
                        person=person,
                        data=payload.address.model_dump(),
                    )
                except ValidationError as exc:
                    errors = field_errors(exc, lambda field: f"address.{field}")
                    for error in errors:
                        error["field"] = error["field"] or "address"
                    raise invalid_input(errors) from exc
        location = request.build_absolute_uri(reverse("api:person_detail", args=[person.pk]))
        body = _person_body(_with_categories(actor, person))
        return 201, body, {"Location": location, "ETag": etag_for(person)}

    return idempotent(request, client_of(request).user, create)


@router.patch(
    "/{uuid:person_id}",
    response={200: PersonOut, **problems(400, 403, 404, 409)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="person_update",
)
def update_person(
    request: ApiRequest, person_id: UUID, payload: PersonUpdate, response: HttpResponse
):
    """Change some of a person's details. Send only the fields to change. Contact details may
    be changed only when they are shared with you."""
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True, exclude={"identifiers"})
    sent = payload.identifiers if "identifiers" in payload.model_fields_set else None
    with transaction.atomic():
        person = _with_categories(actor, policy.get_person_for_actor(actor, person_id))
        categories = person.categories
        if CONTACT_FIELDS & data.keys() and not person.contact_shared:
            raise PermissionDenied(CONTACT_NOT_SHARED)
        check_if_match(request, person)
        schemes = registry.identifier_schemes_in(categories)
        try:
            person = services.person_update(
                actor=acting_member(request),
                person=person,
                data=data,
                identifiers=_identifiers_replacing(sent, schemes) if sent is not None else None,
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc, _identifier_field(sent or []))) from exc
    set_etag(response, person)
    return _with_categories(actor, person, categories)
