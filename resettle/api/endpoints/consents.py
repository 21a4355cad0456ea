"""People's consents to share their information: the same rules and services as the consent
pages. Anyone who may see a person's record sees their consents; caseworkers and referrers
working with the person record and withdraw them."""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import field_errors, invalid_input
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.consent import selectors, services
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.consent.selectors import ConsentStatus
from resettle.core.http import ApiRequest

router = Router(tags=["consents"])


class ConsentOut(ApiSchema):
    id: UUID
    person: UUID
    status: ConsentStatus = Field(
        description="`current`, or `expired` or `withdrawn`: then it covers nothing."
    )
    categories: list[Category] = Field(description="The information it covers.")
    organisation_kinds: list[OrganisationKind] = Field(
        description="Every organisation of these kinds may receive it."
    )
    organisations: list[UUID] = Field(description="Organisations named, whatever their kind.")
    method: ConsentMethod
    given_by: ConsentGivenBy
    given_by_name: str = Field(description="Who gave it, when not the person themselves.")
    given_on: date
    expires_on: date | None = Field(description="The first day it no longer applies.")
    withdrawn_on: date | None
    recorded_by: str | None = Field(description="Name of the user who recorded it.")
    recorded_by_organisation: UUID | None
    withdrawn_recorded_by: str | None
    notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_person(consent: Consent) -> UUID:
        return consent.person_id

    @staticmethod
    def resolve_organisations(consent: Consent) -> list[UUID]:
        # Uses the prefetched organisations, so a page costs no query per consent.
        return [organisation.pk for organisation in consent.organisations.all()]

    @staticmethod
    def resolve_recorded_by(consent: Consent) -> str | None:
        return str(consent.recorded_by) if consent.recorded_by else None

    @staticmethod
    def resolve_recorded_by_organisation(consent: Consent) -> UUID | None:
        return consent.recorded_by_organisation_id

    @staticmethod
    def resolve_withdrawn_recorded_by(consent: Consent) -> str | None:
        return str(consent.withdrawn_recorded_by) if consent.withdrawn_recorded_by else None


ConsentPage = page_schema("ConsentPage", ConsentOut, "A page of ConsentOut records, current first.")


class ConsentFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's consents.")


class ConsentCreate(ApiSchema):
    person: UUID
    categories: list[Category] = Field(min_length=1, description="The information it covers.")
    organisation_kinds: list[OrganisationKind] = Field(
        default_factory=list, description="Every organisation of these kinds may receive it."
    )
    organisations: list[UUID] = Field(
        default_factory=list,
        description="Organisations in your partnerships, named whatever their kind. Give at "
        "least one kind or one organisation.",
    )
    method: ConsentMethod
    given_by: ConsentGivenBy = Field(
        description="For someone under 18: `parental_responsibility` (with `given_by_name`) or "
        "`competence_assessed`."
    )
    given_by_name: str = Field("", max_length=200)
    given_on: date = Field(description="Today or earlier.")
    expires_on: date | None = Field(None, description="After `given_on`.")
    notes: str = Field("", max_length=2000)


def _consent_body(actor, consent_id: UUID) -> dict:
    consent = policy.get_consent_for_actor(
        actor=actor, consent_id=consent_id, shaped=selectors.consents_shown
    )
    return ConsentOut.from_orm(consent).model_dump(mode="json")


@router.get("", response={200: ConsentPage, **problems(400, 404)}, url_name="consent_list")
def list_consents(request: ApiRequest, filters: Query[ConsentFilters], paging: Query[PageParams]):
    """Consents of people whose record you may see, current first. With `person`: 404 if you
    may not see them."""
    actor = actor_of(request)
    consents = selectors.consent_list(actor=actor)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        consents = consents.filter(person=person)
    return paginate(request, consents, paging)


@router.get(
    "/{uuid:consent_id}", response={200: ConsentOut, **problems(404)}, url_name="consent_detail"
)
def get_consent(request: ApiRequest, consent_id: UUID):
    return policy.get_consent_for_actor(
        actor=actor_of(request), consent_id=consent_id, shaped=selectors.consents_shown
    )


@router.post(
    "",
    response={201: ConsentOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="consent_create",
)
def create_consent(request: ApiRequest, payload: ConsentCreate):
    """Record a person's consent. It applies at once to every agreement that rests on consent."""
    actor = actor_of(request)
    person = policy.get_person_for_actor(actor, payload.person)

    def create() -> tuple[int, dict, dict[str, str]]:
        data = payload.model_dump(exclude={"person", "organisations"})
        with transaction.atomic():
            try:
                consent = services.consent_record(
                    actor=acting_member(request),
                    person=person,
                    organisation_ids=payload.organisations,
                    request=request,
                    **data,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:consent_detail", args=[consent.pk]))
        return 201, _consent_body(actor, consent.pk), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@router.post(
    "/{uuid:consent_id}/withdraw",
    response={200: ConsentOut, **problems(403, 404, 422)},
    url_name="consent_withdraw",
)
def withdraw_consent(request: ApiRequest, consent_id: UUID):
    """Record that the person withdrew this consent today. It stops applying at once. A consent
    already withdrawn or expired is refused with 422."""
    actor = actor_of(request)
    consent = policy.get_consent_for_actor(
        actor=actor, consent_id=consent_id, shaped=selectors.consents_shown
    )
    services.consent_withdraw(actor=acting_member(request), consent=consent, request=request)
    return policy.get_consent_for_actor(
        actor=actor, consent_id=consent_id, shaped=selectors.consents_shown
    )
