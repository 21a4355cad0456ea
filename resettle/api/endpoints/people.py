from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from resettle.access import policy
from resettle.api.concurrency import check_if_match, etag_for, set_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
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
from resettle.people import selectors, services
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


def _identifiers_replacing(sent: list[IdentifierSchema]) -> dict[str, str]:
    # A scheme left out of the list is removed: the list sent is the whole set.
    wanted = {item.scheme.value: item.value for item in sent}
    return {scheme: wanted.get(scheme, "") for scheme in IdentifierScheme.values}


def _person_body(person: Person) -> dict:
    return PersonOut.from_orm(person).model_dump(mode="json")


@router.get("", response={200: PersonPage, **problems(400, 404)}, url_name="person_list")
def list_people(request: HttpRequest, filters: Query[PersonFilters], paging: Query[PageParams]):
    """People whose record you may see. With `q`, ranked by how well they match."""
    people = selectors.person_list(
        actor=actor_of(request), query=filters.q, date_of_birth=filters.date_of_birth
    )
    page = paginate(request, people, paging)
    prefetch_related_objects(page["results"], "identifiers", "other_names", "addresses")
    return page


@router.get(
    "/{uuid:person_id}", response={200: PersonOut, **problems(404)}, url_name="person_detail"
)
def get_person(request: HttpRequest, person_id: UUID, response: HttpResponse):
    """A person's record. The `ETag` header is the version to send back in `If-Match`."""
    person = policy.get_person_for_actor(actor_of(request), person_id)
    set_etag(response, person)
    return person


@router.post(
    "",
    response={201: PersonOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="person_create",
)
def create_person(request: HttpRequest, payload: PersonCreate):
    """Add a person; your organisation starts working with them. Nothing is saved unless all of
    it (identifiers and address included) is valid."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        data = payload.model_dump(exclude={"identifiers", "address"})
        identifiers = {item.scheme.value: item.value for item in payload.identifiers}
        with transaction.atomic():
            try:
                person = services.person_create(actor=actor, data=data, identifiers=identifiers)
            except ValidationError as exc:
                raise invalid_input(
                    field_errors(exc, _identifier_field(payload.identifiers))
                ) from exc
            if payload.address is not None:
                try:
                    services.address_add(
                        actor=actor, person=person, data=payload.address.model_dump()
                    )
                except ValidationError as exc:
                    errors = field_errors(exc, lambda field: f"address.{field}")
                    for error in errors:
                        error["field"] = error["field"] or "address"
                    raise invalid_input(errors) from exc
        location = request.build_absolute_uri(reverse("api:person_detail", args=[person.pk]))
        return 201, _person_body(person), {"Location": location, "ETag": etag_for(person)}

    return idempotent(request, client_of(request).user, create)


@router.patch(
    "/{uuid:person_id}",
    response={200: PersonOut, **problems(400, 403, 404, 409)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="person_update",
)
def update_person(
    request: HttpRequest, person_id: UUID, payload: PersonUpdate, response: HttpResponse
):
    """Change some of a person's details. Send only the fields to change."""
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True, exclude={"identifiers"})
    sent = payload.identifiers if "identifiers" in payload.model_fields_set else None
    with transaction.atomic():
        person = policy.get_person_for_actor(actor, person_id)
        check_if_match(request, person)
        try:
            person = services.person_update(
                actor=actor,
                person=person,
                data=data,
                identifiers=_identifiers_replacing(sent) if sent is not None else None,
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc, _identifier_field(sent or []))) from exc
    set_etag(response, person)
    return person
