"""The service directory: what the partnership's organisations offer, who each service is for
and how to get in (DESIGN §6 `services`). Signed in, every service of the organisations in your
partnerships, referral-only ones too; organisation admins and delivery coordinators add and
change their own organisation's. Anonymous readers use the Open Referral UK feed instead."""

from datetime import date, datetime, time
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
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
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.http import ApiRequest
from resettle.core.pathways import Pathway
from resettle.directory import eligibility, selectors, services
from resettle.directory.models import (
    Access,
    CustodyEligibility,
    EligibleGender,
    Service,
    ServiceStatus,
)

router = Router(tags=["services"])


class EligibilityOut(ApiSchema):
    minimum_age: int | None
    maximum_age: int | None
    gender: EligibleGender
    postcode_districts: list[str] = Field(description="Outward codes served; empty: anywhere.")
    custody_status: CustodyEligibility
    release_window_weeks: int | None = Field(description="Pre-release services only.")


class WaitingListOut(ApiSchema):
    kept: bool = Field(description="Whether the service keeps a waiting list when full.")
    count: int = Field(description="Referrals on the waiting list now.")


class ServiceContactOut(ApiSchema):
    name: str
    email: str
    phone: str
    url: str


class LocationOut(ApiSchema):
    id: UUID
    name: str
    address_line_1: str
    town: str
    county: str
    postcode: str
    accessibility: str
    transport: str


class ScheduleOut(ApiSchema):
    id: UUID
    location: UUID | None
    valid_from: date
    valid_to: date | None
    opens_at: time
    closes_at: time
    rrule: str = Field(description="RFC 5545 recurrence rule.")
    description: str

    @staticmethod
    def resolve_location(schedule) -> UUID | None:
        return schedule.location_id


class ServiceOut(ApiSchema):
    id: UUID
    organisation: UUID
    organisation_name: str
    name: str
    description: str
    who_it_is_for: str
    access: Access
    status: ServiceStatus
    pathways: list[Pathway]
    eligibility: EligibilityOut
    cost: str = Field(description="Empty means free.")
    capacity: int | None = Field(description="People supported at once; null means no limit.")
    caseload: int = Field(description="Referrals accepted or in progress now.")
    full: bool
    waiting_list: WaitingListOut
    contact: ServiceContactOut
    locations: list[LocationOut]
    schedules: list[ScheduleOut]
    taxonomy_terms: list[str] = Field(description="Names of the terms the service is tagged with.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_organisation(service: Service) -> UUID:
        return service.organisation_id

    @staticmethod
    def resolve_organisation_name(service: Service) -> str:
        return service.organisation.name

    @staticmethod
    def resolve_eligibility(service: Service) -> dict:
        return {
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "gender": service.eligible_gender,
            "postcode_districts": service.postcode_districts,
            "custody_status": service.custody_status,
            "release_window_weeks": service.release_window_weeks,
        }

    @staticmethod
    def resolve_caseload(service: Service) -> int:
        return selectors.service_caseload(service)

    @staticmethod
    def resolve_full(service: Service) -> bool:
        return selectors.is_full(service)

    @staticmethod
    def resolve_waiting_list(service: Service) -> dict:
        return {"kept": service.has_waiting_list, "count": selectors.waiting_list_count(service)}

    @staticmethod
    def resolve_contact(service: Service) -> dict:
        return {
            "name": service.contact_name,
            "email": service.email,
            "phone": service.phone,
            "url": service.url,
        }

    @staticmethod
    def resolve_locations(service: Service) -> list:
        return list(service.locations.all())

    @staticmethod
    def resolve_schedules(service: Service) -> list:
        return list(service.schedules.all())

    @staticmethod
    def resolve_taxonomy_terms(service: Service) -> list[str]:
        return [term.name for term in service.taxonomy_terms.all()]


ServicePage = page_schema("ServicePage", ServiceOut)


class ServiceFilters(ApiSchema):
    q: str = Field("", max_length=100, description="Words in the name or description.")
    pathway: Pathway | None = None
    access: Access | None = Field(
        None, description="`open`: open to all (with `both`); `referral_only`: by referral."
    )
    organisation: UUID | None = None
    district: str = Field("", max_length=4, description="Postcode district, e.g. NS1.")
    status: ServiceStatus = ServiceStatus.ACTIVE
    eligible_for: UUID | None = Field(
        None,
        description="A person whose record you may see: only the services whose rules they "
        "meet (unknown data does not exclude). 404 if you may not see the person.",
    )


class ServiceWrite(ApiSchema):
    name: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    who_it_is_for: str = Field("", max_length=1000)
    access: Access
    pathways: list[Pathway] = Field(min_length=1)
    minimum_age: int | None = Field(None, ge=0, le=120)
    maximum_age: int | None = Field(None, ge=0, le=120)
    eligible_gender: EligibleGender = EligibleGender.ANY
    postcode_districts: list[str] = Field(default_factory=list)
    custody_status: CustodyEligibility = CustodyEligibility.ANY
    release_window_weeks: int | None = Field(None, ge=1, le=104)
    cost: str = Field("", max_length=200)
    capacity: int | None = Field(None, ge=1)
    has_waiting_list: bool = True
    contact_name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    url: str = Field("", max_length=200)


class ServiceUpdate(ApiSchema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    who_it_is_for: str | None = Field(None, max_length=1000)
    access: Access | None = None
    status: ServiceStatus | None = Field(
        None, description="`inactive` takes it out of the directory; nothing is deleted."
    )
    pathways: list[Pathway] | None = None
    minimum_age: int | None = Field(None, ge=0, le=120)
    maximum_age: int | None = Field(None, ge=0, le=120)
    eligible_gender: EligibleGender | None = None
    postcode_districts: list[str] | None = None
    custody_status: CustodyEligibility | None = None
    release_window_weeks: int | None = Field(None, ge=1, le=104)
    cost: str | None = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=1)
    has_waiting_list: bool | None = None
    contact_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    url: str | None = Field(None, max_length=200)


def _with_related(services_qs):
    return services_qs.prefetch_related("locations", "schedules", "taxonomy_terms")


def _detail(actor, service_id) -> Service:
    """One service the actor may see (404 otherwise), with its counts and related records."""
    service = policy.get_service_for_actor(actor, service_id)
    one = Service.objects.filter(pk=service.pk).select_related("organisation")
    return _with_related(selectors.with_counts(one)).get()


@router.get("", response={200: ServicePage, **problems(400, 404)}, url_name="service_list")
def list_services(request: ApiRequest, filters: Query[ServiceFilters], paging: Query[PageParams]):
    """Services of your organisation and its partners (referral-only ones too), and every
    active open service, with capacity, caseload and waiting list."""
    actor = actor_of(request)
    chosen = selectors.ServiceFilters(
        query=filters.q.strip(),
        pathway=filters.pathway or "",
        access=filters.access or "",
        organisation=str(filters.organisation) if filters.organisation else "",
        district=filters.district.replace(" ", "").upper(),
        status=filters.status,
    )
    found = _with_related(selectors.service_list(actor=actor, filters=chosen))
    if filters.eligible_for is not None:
        person = policy.get_person_for_actor(actor, filters.eligible_for)
        found = eligibility.eligible_services(
            found, person, categories=policy.categories_visible(actor, person)
        )
    return paginate(request, found, paging)


@router.get(
    "/{uuid:service_id}", response={200: ServiceOut, **problems(404)}, url_name="service_detail"
)
def get_service(request: ApiRequest, service_id: UUID, response: HttpResponse):
    service = _detail(actor_of(request), service_id)
    set_etag(response, service)
    return service


@router.post(
    "",
    response={201: ServiceOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="service_create",
)
def create_service(request: ApiRequest, payload: ServiceWrite):
    """Add a service to your own organisation (organisation admins and delivery coordinators)."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            try:
                service = services.service_create(
                    actor=acting_member(request), data=payload.model_dump(), request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        service = _detail(actor, service.pk)
        location = request.build_absolute_uri(reverse("api:service_detail", args=[service.pk]))
        body = ServiceOut.from_orm(service).model_dump(mode="json")
        return 201, body, {"Location": location, "ETag": etag_for(service)}

    return idempotent(request, client_of(request).user, create)


@router.patch(
    "/{uuid:service_id}",
    response={200: ServiceOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="service_update",
)
def update_service(
    request: ApiRequest, service_id: UUID, payload: ServiceUpdate, response: HttpResponse
):
    """Change your own organisation's service. Setting `status` to `inactive` deactivates it."""
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True)
    status = data.pop("status", None)
    with transaction.atomic():
        service = policy.get_service_for_actor(actor, service_id)
        check_if_match(request, service)
        try:
            service = services.service_update(
                actor=acting_member(request), service=service, data=data, request=request
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
        if status is not None and status != service.status:
            change = (
                services.service_deactivate
                if status == ServiceStatus.INACTIVE
                else services.service_reactivate
            )
            service = change(actor=acting_member(request), service=service, request=request)
    service = _detail(actor, service.pk)
    set_etag(response, service)
    return service
