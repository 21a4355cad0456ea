"""Referrals over the API (DESIGN §6): the same rules and services as the pages. State changes
are actions (`POST /referrals/{id}/accept`, ...). Every response carries the referral's `ETag`;
an action sent with an `If-Match` naming an older version is refused with 409 and the current
state, so nobody acts on a referral someone else has just changed. Creating and acting accept an
`Idempotency-Key`, and submitting twice is harmless.

Until the receiving organisation accepts, it sees the person only through the referral:
`person` is null and `person_identity` gives their name and date of birth."""

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.api.base import ApiSchema
from resettle.api.concurrency import expected_version, version_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import ApiProblem, field_errors, invalid_input
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.consent.models import Consent
from resettle.core.http import ApiRequest
from resettle.core.pathways import Pathway
from resettle.core.state_machine import Transition
from resettle.directory.models import Service
from resettle.referrals import selectors, services
from resettle.referrals.lifecycle import ACTIONS
from resettle.referrals.models import DeclineReason, Referral, ReferralState, Urgency
from resettle.suitability.models import ANSWER_FIELDS, YES_NO_FIELDS

router = Router(tags=["referrals"])


class PersonIdentityOut(ApiSchema):
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None


class SuitabilityOut(ApiSchema):
    assessed_on: date
    review_on: date
    expired: bool
    assessor_name: str
    assessor_organisation: str
    assessor_contact: str
    answers: dict[str, str | None] = Field(
        description="As in `suitability-assessments`. `named_people_to_avoid` is null outside "
        "the assessor's organisation: ask the assessor."
    )


class ReferralOut(ApiSchema):
    id: UUID
    person: UUID | None = Field(
        description="Null while your organisation may not open the person's record (a "
        "receiving organisation, until it accepts)."
    )
    person_identity: PersonIdentityOut
    service: UUID
    service_name: str
    receiving_organisation: UUID
    referring_organisation: UUID
    referred_by: str
    parent: UUID | None = Field(description="The referral this is an onward referral from.")
    state: ReferralState
    reason: str
    pathway: Pathway
    urgency: Urgency
    shared_categories: list[Category] = Field(
        description="What the person agreed may go with the referral, beyond identity."
    )
    eligibility_override_reason: str
    decline_reason: DeclineReason | None
    decline_detail: str
    outcome: str
    end_reason: str
    submitted_at: datetime | None
    first_response_at: datetime | None
    decided_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    waiting_list_position: int | None
    overdue: bool = Field(description="Waiting for a decision longer than its urgency allows.")
    version: int
    created_at: datetime
    updated_at: datetime


class ReferralDetailOut(ReferralOut):
    suitability: SuitabilityOut | None = Field(
        description="The current suitability assessment, where risk and suitability is shared "
        "with your organisation through the referral (its read is audited); else null."
    )


ReferralPage = page_schema("ReferralPage", ReferralOut)


class ReferralFiltersIn(ApiSchema):
    box: str = Field(
        "sent", pattern="^(sent|received)$", description="`sent` by or `received` by your org."
    )
    state: ReferralState | None = None
    service: UUID | None = None
    overdue: bool = False
    mine: bool = Field(False, description="Only those you sent (or, received, you handled).")


class ReferralCreate(ApiSchema):
    person: UUID
    service: UUID
    reason: str = Field(min_length=1, max_length=4000)
    pathway: Pathway
    urgency: Urgency = Urgency.ROUTINE
    shared_categories: list[Category] = Field(default_factory=list)
    consent: UUID | None = None
    eligibility_override_reason: str = Field(
        "", max_length=1000, description="Needed when the person does not meet the rules."
    )
    no_contact_confirmed: bool = Field(
        False,
        description="Needed when someone with a “no contact wanted” wish about the person has a "
        "live referral to the service.",
    )
    parent: UUID | None = Field(None, description="For an onward referral.")
    submit: bool = Field(False, description="Send at once; otherwise it is kept as a draft.")


class NoteIn(ApiSchema):
    note: str = Field("", max_length=2000)


class DeclineIn(ApiSchema):
    reason: DeclineReason = Field(
        description="`no_capacity` puts it on the waiting list if the service keeps one."
    )
    detail: str = Field("", max_length=1000, description="Needed for `other`.")


class CompleteIn(ApiSchema):
    outcome: str = Field(min_length=1, max_length=2000)


class EndIn(ApiSchema):
    reason: str = Field(min_length=1, max_length=1000)


class WaitingOut(ApiSchema):
    position: int
    referral: UUID
    person_identity: PersonIdentityOut
    referring_organisation: UUID
    urgency: Urgency
    waiting_since: datetime
    moved_by_hand: bool = Field(
        description="Moved up or down by hand, so not in urgency-then-age order."
    )


class MoveDirection(StrEnum):
    UP = "up"
    DOWN = "down"


class WaitingMoveIn(ApiSchema):
    direction: MoveDirection
    reason: str = Field(min_length=1, max_length=1000)


class WaitingMoveOut(ApiSchema):
    referral: UUID
    passed: UUID = Field(description="The referral it swapped places with.")
    direction: MoveDirection
    from_position: int
    to_position: int
    reason: str
    moved_at: datetime


WaitingPage = page_schema("WaitingPage", WaitingOut)


class WaitingFilters(ApiSchema):
    service: UUID


def etag(referral: Referral) -> str:
    return version_etag(referral)


def _identity(referral: Referral) -> dict:
    person = referral.person
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "preferred_name": person.preferred_name,
        "date_of_birth": person.date_of_birth,
    }


def _body(referral: Referral, visible_people: set, position: int | None = None) -> dict:
    return ReferralOut(
        id=referral.pk,
        person=referral.person_id if referral.person_id in visible_people else None,
        person_identity=PersonIdentityOut(**_identity(referral)),
        service=referral.service_id,
        service_name=referral.service.name,
        receiving_organisation=referral.service.organisation_id,
        referring_organisation=referral.referring_organisation_id,
        referred_by=str(referral.referred_by),
        parent=referral.parent_id,
        state=ReferralState(referral.state),
        reason=referral.reason,
        pathway=Pathway(referral.pathway),
        urgency=Urgency(referral.urgency),
        shared_categories=referral.shared_categories,
        eligibility_override_reason=referral.eligibility_override_reason,
        decline_reason=DeclineReason(referral.decline_reason) if referral.decline_reason else None,
        decline_detail=referral.decline_detail,
        outcome=referral.outcome,
        end_reason=referral.end_reason,
        submitted_at=referral.submitted_at,
        first_response_at=referral.first_response_at,
        decided_at=referral.decided_at,
        started_at=referral.started_at,
        ended_at=referral.ended_at,
        waiting_list_position=position,
        overdue=selectors.is_overdue(referral),
        version=referral.version,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
    ).model_dump(mode="json")


def _visible_people(actor: Membership | None, referrals: list[Referral]) -> set:
    ids = {r.person_id for r in referrals}
    return set(policy.people_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def _detail(actor: Membership | None, referral_id: UUID, request: ApiRequest) -> tuple:
    referral = selectors.get_referral(actor, referral_id)
    view = selectors.referral_view(actor=actor, referral=referral, request=request)
    body = _body(referral, _visible_people(actor, [referral]), view.position)
    suitability = None
    assessment = view.assessment
    if assessment is not None:
        answers = {name: getattr(assessment, name) for name in (*ANSWER_FIELDS, *YES_NO_FIELDS)}
        answers |= {
            "areas_to_avoid": assessment.areas_to_avoid,
            "measures": assessment.measures,
            "named_contact_restriction": assessment.named_contact_restriction,
            "named_people_to_avoid": (
                assessment.named_people_to_avoid if assessment.pk in view.names_visible else None
            ),
        }
        suitability = SuitabilityOut(
            assessed_on=assessment.assessed_on,
            review_on=assessment.review_on,
            expired=assessment.expired,
            assessor_name=assessment.assessor_name,
            assessor_organisation=assessment.assessor_organisation.name,
            assessor_contact=assessment.assessor_contact,
            answers=answers,
        ).model_dump(mode="json")
    return referral, body | {"suitability": suitability}


@router.get("", response={200: ReferralPage, **problems(400)}, url_name="referral_list")
def list_referrals(
    request: ApiRequest, filters: Query[ReferralFiltersIn], paging: Query[PageParams]
):
    """Referrals your organisation sent (`box=sent`, drafts included) or received."""
    actor = actor_of(request)
    referrals = selectors.referral_list(
        actor=actor,
        filters=selectors.ReferralFilters(
            box=filters.box,
            state=filters.state or "",
            service=str(filters.service) if filters.service else "",
            overdue=filters.overdue,
            mine=filters.mine,
        ),
    )
    page = paginate(request, referrals, paging)
    shown = _visible_people(actor, page["results"])
    page["results"] = [_body(r, shown) for r in page["results"]]
    return page


@router.get(
    "/waiting-list",
    response={200: WaitingPage, **problems(400, 403, 404)},
    url_name="referral_waiting_list",
)
def waiting_list(request: ApiRequest, filters: Query[WaitingFilters], paging: Query[PageParams]):
    """A service's waiting list, oldest first (position 1 is offered the next place). For the
    service's own organisation."""
    actor = actor_of(request)
    service = policy.get_service_for_actor(actor, filters.service)
    if not policy.can_view_waiting_list(actor, service):
        raise ApiProblem(403, "A waiting list is for its own organisation's staff.")
    page = paginate(request, selectors.waiting_list(service=service), paging)
    start = (paging.page - 1) * paging.page_size
    page["results"] = [
        {
            "position": start + index,
            "referral": r.pk,
            "person_identity": _identity(r),
            "referring_organisation": r.referring_organisation_id,
            "urgency": r.urgency,
            "waiting_since": r.waiting_since,
            "moved_by_hand": r.waiting_rank is not None,
        }
        for index, r in enumerate(page["results"], start=1)
    ]
    return page


@router.post(
    "/{uuid:referral_id}/waiting-list/move",
    response={200: WaitingMoveOut, **problems(400, 403, 404, 409, 422)},
    url_name="referral_waiting_move",
    openapi_extra={"parameters": [IF_MATCH, IDEMPOTENCY_KEY]},
)
def move_on_waiting_list(request: ApiRequest, referral_id: UUID, payload: WaitingMoveIn):
    """Move a referral one place up or down its service's waiting list, for a reason: it swaps
    places with the referral next to it. For the service's own organisation. 422 when it is
    already first (up) or last (down)."""
    actor = actor_of(request)

    def move() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            referral = selectors.get_referral(actor, referral_id)
            if not policy.can_move_on_waiting_list(actor, referral):
                raise ApiProblem(403, "A waiting list is managed by its own organisation's staff.")
            assert actor is not None  # manages the list, so a current member
            try:
                done = services.referral_waiting_move(
                    actor=actor,
                    referral=referral,
                    direction=payload.direction.value,
                    reason=payload.reason,
                    expected_version=expected_version(request, referral, _stale),
                    request=request,
                )
            except services.StaleReferral as exc:
                raise _stale(exc.referral) from exc
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
            referral.refresh_from_db(fields=["version"])
        body = {
            "referral": done.referral_id,
            "passed": done.passed_id,
            "direction": done.direction,
            "from_position": done.from_position,
            "to_position": done.to_position,
            "reason": done.reason,
            "moved_at": done.created_at,
        }
        return 200, body, {"ETag": etag(referral)}

    return idempotent(request, client_of(request).user, move)


@router.get(
    "/{uuid:referral_id}",
    response={200: ReferralDetailOut, **problems(404)},
    url_name="referral_detail",
)
def get_referral(request: ApiRequest, referral_id: UUID, response: HttpResponse):
    referral, body = _detail(actor_of(request), referral_id, request)
    response["ETag"] = etag(referral)
    return body


def _one(model, pk, queryset, field: str):
    if pk is None:
        return None
    try:
        return queryset.get(pk=pk)
    except model.DoesNotExist as exc:
        raise invalid_input([{"field": field, "message": "Choose one you can see"}]) from exc


@router.post(
    "",
    response={201: ReferralDetailOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="referral_create",
)
def create_referral(request: ApiRequest, payload: ReferralCreate):
    """Refer a person you work with to a service (a draft, or sent with `submit`). An ineligible
    person needs `eligibility_override_reason`; a “no contact wanted” conflict needs
    `no_contact_confirmed`; a second live referral to the same service is refused (422)."""
    actor = actor_of(request)
    person = policy.get_person_for_actor(actor, payload.person)

    def create() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            service = _one(Service, payload.service, policy.services_visible_to(actor), "service")
            consent = _one(
                Consent, payload.consent, Consent.objects.filter(person=person), "consent"
            )
            parent = _one(Referral, payload.parent, policy.referrals_visible_to(actor), "parent")
            try:
                referral = services.referral_create(
                    actor=acting_member(request),
                    person=person,
                    service=service,
                    reason=payload.reason,
                    pathway=payload.pathway,
                    urgency=payload.urgency,
                    shared_categories=list(payload.shared_categories),
                    consent=consent,
                    eligibility_override_reason=payload.eligibility_override_reason,
                    no_contact_confirmed=payload.no_contact_confirmed,
                    parent=parent,
                    submit=payload.submit,
                    request=request,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
            referral, body = _detail(actor, referral.pk, request)
        location = request.build_absolute_uri(reverse("api:referral_detail", args=[referral.pk]))
        return 201, body, {"Location": location, "ETag": etag(referral)}

    return idempotent(request, client_of(request).user, create)


def _stale(referral: Referral) -> ApiProblem:
    return ApiProblem(
        409,
        f"This referral has changed since you read it: it is now `{referral.state}` (version "
        f"{referral.version}). Fetch it again, then act with the new ETag in If-Match.",
        headers={"ETag": etag(referral)},
    )


def _act(request: ApiRequest, referral_id: UUID, action: str, arguments: dict) -> HttpResponse:
    actor = actor_of(request)

    def act() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            referral = selectors.get_referral(actor, referral_id)
            try:
                ACTIONS.run(
                    action,
                    actor=actor,
                    referral=referral,
                    expected_version=expected_version(request, referral, _stale),
                    request=request,
                    **arguments,
                )
            except services.StaleReferral as exc:
                raise _stale(exc.referral) from exc
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
            referral, body = _detail(actor, referral_id, request)
        return 200, body, {"ETag": etag(referral)}

    return idempotent(request, client_of(request).user, act)


ACTION_DOC: dict[str, Any] = {
    "response": {200: ReferralDetailOut, **problems(400, 403, 404, 409, 422)},
    "openapi_extra": {"parameters": [IF_MATCH, IDEMPOTENCY_KEY]},
}
# What each action of the referral lifecycle takes in its body (none: no body), its operation's
# name and what its documentation says beyond the table.
PAYLOADS: dict[str, type[ApiSchema] | None] = {
    "submit": None,
    "accept": NoteIn,
    "decline": DeclineIn,
    "waiting_list": NoteIn,
    "start": NoteIn,
    "complete": CompleteIn,
    "close": EndIn,
    "withdraw": EndIn,
}
OPERATION_NAMES = {"waiting_list": "waitlist"}
DOCS = {
    "submit": "Send a draft. Sending one already sent returns it unchanged.",
    "accept": "Accept (the receiving organisation): it starts working with the person today. A "
    "full service is refused with 422: use `waiting-list`.",
    "waiting_list": "Put a submitted referral on the service's waiting list.",
    "close": "Close: the person could not be engaged. The receiving organisation stops working "
    "with the person unless something else (a case, another referral) holds it.",
    "decline": "Decline. The receiving organisation stops working with the person unless "
    "something else (a case, another referral) holds it.",
    "withdraw": "Withdraw (the referring organisation). The receiving organisation stops "
    "working with the person unless something else (a case, another referral) holds it.",
}


def _mount(transition: Transition[Referral]) -> None:
    """`POST /referrals/{id}/<action>` for one row of the lifecycle table."""
    name, schema = transition.name, PAYLOADS[transition.name]
    operation: Callable[..., HttpResponse]
    if schema is None:

        def without_body(request: ApiRequest, referral_id: UUID) -> HttpResponse:
            return _act(request, referral_id, name, {})

        operation = without_body
    else:

        def with_body(request: ApiRequest, referral_id: UUID, payload: schema):  # type: ignore[valid-type]
            return _act(
                request, referral_id, name, {f: getattr(payload, f) for f in transition.fields}
            )

        operation = with_body

    short = OPERATION_NAMES.get(name, name)
    operation.__name__ = operation.__qualname__ = f"{short}_referral"
    operation.__doc__ = DOCS.get(name)
    router.post(
        f"/{{uuid:referral_id}}/{transition.path}", url_name=f"referral_{short}", **ACTION_DOC
    )(operation)


for _transition in ACTIONS:
    _mount(_transition)
