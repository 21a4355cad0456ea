"""Cases over the API (DESIGN §6): the same rules and services as the pages. An organisation sees
its own cases (a peer mentor: those they mentor) and partners' where case notes are shared.
State changes are actions: pause, resume, close, reopen."""

from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.accounts.models import User
from resettle.api.base import ApiSchema
from resettle.api.concurrency import check_if_match, set_etag
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
from resettle.cases import selectors, services
from resettle.cases.lifecycle import ACTIONS
from resettle.cases.models import Case, CaseState, CloseReason
from resettle.core.http import ApiRequest
from resettle.core.state_machine import Transition

router = Router(tags=["cases"])


class CaseOut(ApiSchema):
    id: UUID
    person: UUID
    organisation: UUID
    state: CaseState
    worker: int | None = Field(description="The allocated worker's user id.")
    mentor: int | None = Field(description="The allocated peer mentor's user id.")
    opened_on: date
    closed_on: date | None
    close_reason: CloseReason | None
    next_review_on: date | None
    pause_reason: str
    version: int

    @staticmethod
    def resolve_person(case: Case) -> UUID:
        return case.person_id

    @staticmethod
    def resolve_organisation(case: Case) -> UUID:
        return case.organisation_id

    @staticmethod
    def resolve_worker(case: Case) -> int | None:
        return case.worker_id

    @staticmethod
    def resolve_mentor(case: Case) -> int | None:
        return case.mentor_id

    @staticmethod
    def resolve_close_reason(case: Case) -> str | None:
        return case.close_reason or None


CasePage = page_schema("CasePage", CaseOut)


class CaseFilters(ApiSchema):
    person: UUID | None = Field(
        None, description="Only this person's cases (404 if you may not see them)."
    )
    state: CaseState | None = None


class CaseCreate(ApiSchema):
    person: UUID
    opened_on: date = Field(description="Today or earlier.")
    worker: int | None = Field(None, description="A caseworker, referrer or coordinator's id.")
    mentor: int | None = Field(None, description="A peer mentor of your organisation.")
    next_review_on: date | None = None
    note: str = Field("", max_length=1000)


class CaseUpdate(ApiSchema):
    worker: int | None = None
    mentor: int | None = None
    next_review_on: date | None = None


class PauseIn(ApiSchema):
    on: date
    reason: str = Field(max_length=200, description="Do not describe offences.")


class ResumeIn(ApiSchema):
    on: date


class CloseIn(ApiSchema):
    closed_on: date
    close_reason: CloseReason
    note: str = Field("", max_length=1000)


class ReopenIn(ApiSchema):
    on: date
    note: str = Field("", max_length=1000)


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise invalid_input([{"field": field, "message": "No such user in your organisation"}])
    return user


def _body(case: Case) -> dict:
    return CaseOut.from_orm(case).model_dump(mode="json")


def _visible(request: ApiRequest, case_id: UUID) -> Case:
    actor = actor_of(request)
    case = policy.get_case_for_actor(actor, case_id)
    selectors.record_case_read(actor=actor, case=case, request=request)
    return case


@router.get("", response={200: CasePage, **problems(400, 404)}, url_name="case_list")
def list_cases(request: ApiRequest, filters: Query[CaseFilters], paging: Query[PageParams]):
    """Cases you may see, newest first. With `person`: 404 if you may not see them."""
    actor = actor_of(request)
    if filters.person is not None:
        policy.get_person_for_actor(actor, filters.person)
    cases = selectors.case_list(actor=actor, state=filters.state or "", person=filters.person)
    return paginate(request, cases, paging)


@router.get("/{uuid:case_id}", response={200: CaseOut, **problems(404)}, url_name="case_detail")
def get_case(request: ApiRequest, response: HttpResponse, case_id: UUID):
    case = _visible(request, case_id)
    set_etag(response, case)
    return case


@router.post(
    "",
    response={201: CaseOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="case_create",
)
def create_case(request: ApiRequest, payload: CaseCreate):
    """Open your organisation's case for a person you work with. 422 if it already has a live
    case for them (reopen a closed one instead)."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            person = policy.get_person_for_actor(actor, payload.person)
            try:
                case = services.case_open(
                    actor=acting_member(request),
                    person=person,
                    opened_on=payload.opened_on,
                    worker=_user(payload.worker, "worker"),
                    mentor=_user(payload.mentor, "mentor"),
                    next_review_on=payload.next_review_on,
                    note=payload.note,
                    request=request,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:case_detail", args=[case.pk]))
        return 201, _body(case), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@router.patch(
    "/{uuid:case_id}",
    response={200: CaseOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="case_update",
)
def update_case(request: ApiRequest, response: HttpResponse, case_id: UUID, payload: CaseUpdate):
    """Allocate a worker or mentor, or set the next review date. 422 on a closed case."""
    case = _visible(request, case_id)
    sent = payload.model_dump(exclude_unset=True)
    data = {}
    for name, value in sent.items():
        data[name] = _user(value, name) if name in ("worker", "mentor") else value
    with transaction.atomic():
        check_if_match(request, case)
        try:
            case = services.case_update(
                actor=acting_member(request), case=case, data=data, request=request
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
    set_etag(response, case)
    return case


def _act(request: ApiRequest, case_id: UUID, action: str, arguments: dict) -> HttpResponse:
    actor = actor_of(request)

    def act() -> tuple[int, dict, dict[str, str]]:
        case = _visible(request, case_id)
        with transaction.atomic():
            check_if_match(request, case)
            try:
                case = ACTIONS.run(action, actor=actor, case=case, request=request, **arguments)
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _body(case), {}

    return idempotent(request, client_of(request).user, act)


ACTION: dict[str, Any] = {
    "response": {200: CaseOut, **problems(400, 403, 404, 409, 422)},
    "openapi_extra": {"parameters": [IDEMPOTENCY_KEY, IF_MATCH]},
}
# What each action of the case lifecycle takes in its body, and what its documentation says
# beyond the table.
PAYLOADS: dict[str, type[ApiSchema]] = {
    "pause": PauseIn,
    "resume": ResumeIn,
    "close": CloseIn,
    "reopen": ReopenIn,
}
DOCS = {
    "pause": "Pause an open case (a recall pauses cases by itself).",
    "close": "Close the case. Unless other work holds it (another referral it accepted), your "
    "organisation stops working with the person, and their record closes to it.",
    "reopen": "Reopen a closed case on the same record; its history stays.",
}


def _mount(transition: Transition[Case]) -> None:
    """`POST /cases/{id}/<action>` for one row of the lifecycle table."""
    name, schema = transition.name, PAYLOADS[transition.name]

    def operation(request: ApiRequest, case_id: UUID, payload: schema):  # type: ignore[valid-type]
        return _act(request, case_id, name, {f: getattr(payload, f) for f in transition.fields})

    operation.__name__ = operation.__qualname__ = f"{name}_case"
    operation.__doc__ = DOCS.get(name)
    router.post(f"/{{uuid:case_id}}/{transition.path}", url_name=f"case_{name}", **ACTION)(
        operation
    )


for _transition in ACTIONS:
    _mount(_transition)
