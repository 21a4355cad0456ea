from uuid import UUID

from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router

from resettle.access import policy
from resettle.accounts import selectors, services
from resettle.api.concurrency import check_if_match, etag_for, set_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    actor_of,
    client_of,
    problems,
)
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, paginate
from resettle.api.schemas import (
    OrganisationCreate,
    OrganisationOut,
    OrganisationPage,
    OrganisationUpdate,
)
from resettle.core.http import ApiRequest

router = Router(tags=["organisations"])


@router.get(
    "", response={200: OrganisationPage, **problems(400, 404)}, url_name="organisation_list"
)
def list_organisations(request: ApiRequest, paging: Query[PageParams]):
    """Your organisation and those in partnerships with it."""
    return paginate(request, selectors.organisation_list(actor=actor_of(request)), paging)


@router.get(
    "/{uuid:organisation_id}",
    response={200: OrganisationOut, **problems(404)},
    url_name="organisation_detail",
)
def get_organisation(request: ApiRequest, organisation_id: UUID, response: HttpResponse):
    organisation = policy.get_organisation_for_actor(actor_of(request), organisation_id)
    set_etag(response, organisation)
    return organisation


@router.post(
    "",
    response={201: OrganisationOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="organisation_create",
)
def create_organisation(request: ApiRequest, payload: OrganisationCreate):
    """Add an organisation. Only Resettle's operators (superusers) may: an organisation's own
    administrators manage their organisation, not others."""
    user = client_of(request).user

    def create() -> tuple[int, dict, dict[str, str]]:
        organisation = services.organisation_create(user=user, **payload.model_dump())
        location = request.build_absolute_uri(
            reverse("api:organisation_detail", args=[organisation.pk])
        )
        body = OrganisationOut.from_orm(organisation).model_dump(mode="json")
        return 201, body, {"Location": location, "ETag": etag_for(organisation)}

    return idempotent(request, user, create)


@router.patch(
    "/{uuid:organisation_id}",
    response={200: OrganisationOut, **problems(400, 403, 404, 409)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="organisation_update",
)
def update_organisation(
    request: ApiRequest,
    organisation_id: UUID,
    payload: OrganisationUpdate,
    response: HttpResponse,
):
    """Change your own organisation's details (organisation administrators only)."""
    actor = actor_of(request)
    with transaction.atomic():
        organisation = policy.get_organisation_for_actor(actor, organisation_id)
        check_if_match(request, organisation)
        organisation = services.organisation_update(
            actor=actor, organisation=organisation, **payload.model_dump(exclude_unset=True)
        )
    set_etag(response, organisation)
    return organisation
