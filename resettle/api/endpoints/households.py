from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router

from resettle.access import policy
from resettle.accounts.models import Membership
from resettle.api import selectors
from resettle.api.concurrency import check_if_match, etag_for, set_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, paginate
from resettle.api.schemas import (
    HouseholdCreate,
    HouseholdMemberOut,
    HouseholdOut,
    HouseholdPage,
    HouseholdUpdate,
)
from resettle.core.http import ApiRequest
from resettle.people import services
from resettle.people.categories import (
    family_shared_ids,
)
from resettle.people.models import Household

router = Router(tags=["households"])


def _household_body(household: Household, visible_ids: set) -> dict:
    members = list(household.members.all())
    shown = [m for m in members if m.person_id in visible_ids]
    return HouseholdOut(
        id=household.pk,
        name=household.name,
        notes=household.notes,
        members=[
            HouseholdMemberOut(person=m.person_id, joined_on=m.joined_on, left_on=m.left_on)
            for m in shown
        ],
        other_members_count=len(members) - len(shown),
        created_at=household.created_at,
        updated_at=household.updated_at,
    ).model_dump(mode="json")


def _shared_households(actor: Membership | None):
    """Households are family information: only those shared through a current member."""
    return selectors.household_list(actor=actor)


def _shown_member_ids(actor: Membership | None, households: list[Household]) -> set:
    """Members named in the answer: those whose family information is shared with the actor."""
    return family_shared_ids(actor, {m.person_id for h in households for m in h.members.all()})


def _one_household(actor: Membership | None, household_id: UUID) -> tuple[Household, dict]:
    household = policy.get_household_for_actor(actor, household_id)
    household = _shared_households(actor).get(pk=household.pk)
    return household, _household_body(household, _shown_member_ids(actor, [household]))


@router.get("", response={200: HouseholdPage, **problems(400, 404)}, url_name="household_list")
def list_households(request: ApiRequest, paging: Query[PageParams]):
    """Households with at least one current member whose family information is shared with
    your organisation."""
    actor = actor_of(request)
    page = paginate(request, _shared_households(actor), paging)
    shown = _shown_member_ids(actor, page["results"])
    page["results"] = [_household_body(h, shown) for h in page["results"]]
    return page


@router.get(
    "/{uuid:household_id}",
    response={200: HouseholdOut, **problems(404)},
    url_name="household_detail",
)
def get_household(request: ApiRequest, household_id: UUID, response: HttpResponse):
    household, body = _one_household(actor_of(request), household_id)
    set_etag(response, household)
    return body


@router.post(
    "",
    response={201: HouseholdOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="household_create",
)
def create_household(request: ApiRequest, payload: HouseholdCreate):
    """Record a household of people in your caseload whose family information is shared with
    your organisation."""
    actor = actor_of(request)
    # The service refuses roles that may not record households at all (403); for the rest,
    # every member's family information must be shared. The answer is the one the service
    # gives for someone outside the caseload, so it says nothing about whom they cannot see.
    shared = family_shared_ids(actor, payload.members)
    if policy.can_create_person(actor) and len(shared) != len(set(payload.members)):
        raise ValidationError({"members": ["Choose people from your own caseload"]})

    def create() -> tuple[int, dict, dict[str, str]]:
        household = services.household_create(
            actor=acting_member(request),
            name=payload.name,
            notes=payload.notes,
            member_ids=payload.members,
        )
        household, body = _one_household(actor, household.pk)
        location = request.build_absolute_uri(reverse("api:household_detail", args=[household.pk]))
        return 201, body, {"Location": location, "ETag": etag_for(household)}

    return idempotent(request, client_of(request).user, create)


@router.patch(
    "/{uuid:household_id}",
    response={200: HouseholdOut, **problems(400, 403, 404, 409)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="household_update",
)
def update_household(
    request: ApiRequest, household_id: UUID, payload: HouseholdUpdate, response: HttpResponse
):
    actor = actor_of(request)
    with transaction.atomic():
        household = policy.get_household_for_actor(actor, household_id)
        check_if_match(request, household)
        services.household_update(
            actor=acting_member(request),
            household=household,
            data=payload.model_dump(exclude_unset=True),
        )
    household, body = _one_household(actor, household_id)
    set_etag(response, household)
    return body
