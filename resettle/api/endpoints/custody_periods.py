"""Custody periods over the API (DESIGN §6): the same rules and services as the pages. Reading
needs the custody category for the person; licence conditions need risk and suitability too,
and a recall's reason offence information (otherwise they are null). Reads are audited."""

from datetime import date, time
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
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
from resettle.api.errors import ApiProblem, field_errors, invalid_input
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.http import ApiRequest
from resettle.custody import selectors, services
from resettle.custody.models import CustodyKind, CustodyPeriod, RecallReason, ReleaseType

router = Router(tags=["custody periods"])

NOT_SHARED = "Custody information about this person is not shared with your organisation."


class CustodyPeriodOut(ApiSchema):
    id: UUID
    person: UUID
    kind: CustodyKind
    start_date: date
    expected_release_date: date | None
    conditional_release_date: date | None
    licence_end_date: date | None
    supervision_end_date: date | None
    establishment: str
    in_custody: bool
    released_on: date | None = Field(description="The latest release.")
    release_type: ReleaseType | None
    recalled_on: date | None = Field(description="The latest recall.")
    recall_reason: RecallReason | None = Field(
        description="Null unless your organisation may see offence information."
    )
    licence_conditions: str | None = Field(
        description="Null unless your organisation may see risk and suitability."
    )
    ended_on: date | None


CustodyPeriodPage = page_schema("CustodyPeriodPage", CustodyPeriodOut)


class CustodyFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's periods.")
    in_custody: bool | None = Field(None, description="Only those in custody now (or not).")


class CustodyPeriodCreate(ApiSchema):
    person: UUID
    kind: CustodyKind
    start_date: date = Field(description="Today or earlier; after the person's last release.")
    establishment: str = Field(max_length=200, examples=["HMP Northshire"])
    expected_release_date: date | None = None
    conditional_release_date: date | None = None
    licence_end_date: date | None = None
    supervision_end_date: date | None = None
    licence_conditions: str = Field("", max_length=4000)


class ReleaseIn(ApiSchema):
    released_on: date = Field(description="Today or earlier, on or after the start and any recall.")
    release_type: ReleaseType
    release_address: str = Field("", max_length=300)
    no_fixed_abode: bool = Field(False, description="Give this or `release_address`, not both.")
    licence_end_date: date | None = None
    licence_conditions: str | None = Field(None, max_length=4000)
    gate_meeting_time: time | None = Field(None, description="Defaults to 08:00.")
    gate_meeting_place: str = Field(
        "", max_length=200, description="Defaults to the gate of the establishment."
    )


class RecallIn(ApiSchema):
    recalled_on: date
    recall_reason: RecallReason


def _body(period: CustodyPeriod, shown: selectors.Shown) -> dict:
    return CustodyPeriodOut(
        id=period.pk,
        person=period.person_id,
        kind=CustodyKind(period.kind),
        start_date=period.start_date,
        expected_release_date=period.expected_release_date,
        conditional_release_date=period.conditional_release_date,
        licence_end_date=period.licence_end_date,
        supervision_end_date=period.supervision_end_date,
        establishment=period.establishment,
        in_custody=period.in_custody,
        released_on=period.released_on,
        release_type=ReleaseType(period.release_type) if period.release_type else None,
        recalled_on=period.recalled_on,
        recall_reason=(
            RecallReason(period.recall_reason)
            if shown.recall_reason and period.recall_reason
            else None
        ),
        licence_conditions=period.licence_conditions if shown.licence_conditions else None,
        ended_on=period.ended_on,
    ).model_dump(mode="json")


def _read(actor: Membership | None, period: CustodyPeriod, request: ApiRequest) -> dict:
    shown = selectors.shown_for(actor, period.person)
    selectors.record_custody_read(
        actor=actor, person=period.person, shown=shown, periods=[period], request=request
    )
    return _body(period, shown)


@router.get(
    "", response={200: CustodyPeriodPage, **problems(400, 403, 404)}, url_name="custody_list"
)
def list_periods(request: ApiRequest, filters: Query[CustodyFilters], paging: Query[PageParams]):
    """Custody periods of people whose custody you may see, newest first. With `person`: 404 if
    you may not see them, 403 if you may but not their custody."""
    actor = actor_of(request)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        if not policy.can_view_custody(actor, person):
            raise ApiProblem(403, NOT_SHARED)
        periods = CustodyPeriod.objects.filter(person=person)
    else:
        periods = policy.custody_periods_visible_to(actor)
    if filters.in_custody is not None:
        # The same rule as CustodyPeriod.in_custody, in the database.
        inside = Q(released_on__isnull=True) | Q(recalled_on__gt=F("released_on"))
        periods = periods.filter(inside if filters.in_custody else ~inside)
    periods = periods.select_related("person").order_by("-start_date", "pk")
    page = paginate(request, periods, paging)
    results = page["results"]
    if filters.person is not None:
        # One person, whose custody may be open to this actor by a break-glass.
        shown = dict.fromkeys({p.person_id for p in results}, selectors.shown_for(actor, person))
    else:
        shown = selectors.shown_for_list(actor, {p.person_id for p in results})
    selectors.record_custody_list_read(actor=actor, periods=results, shown=shown, request=request)
    bodies = {p.pk: _body(p, shown[p.person_id]) for p in results}
    page["results"] = [bodies[p.pk] for p in results]
    return page


@router.get(
    "/{uuid:period_id}",
    response={200: CustodyPeriodOut, **problems(404)},
    url_name="custody_detail",
)
def get_period(request: ApiRequest, period_id: UUID):
    actor = actor_of(request)
    period = policy.get_period_for_actor(actor, period_id)
    return _read(actor, period, request)


@router.post(
    "",
    response={201: CustodyPeriodOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="custody_create",
)
def create_period(request: ApiRequest, payload: CustodyPeriodCreate):
    """Record a period of remand or sentence (probation, prison or the lead charity). It may not
    overlap the person's other periods."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            person = policy.get_person_for_actor(actor, payload.person)
            data = payload.model_dump(exclude={"person"})
            try:
                period = services.custody_period_record(
                    actor=acting_member(request), person=person, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:custody_detail", args=[period.pk]))
        return 201, _body(period, selectors.shown_for(actor, person)), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@router.post(
    "/{uuid:period_id}/release",
    response={200: CustodyPeriodOut, **problems(400, 403, 404, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="custody_release",
)
def release_period(request: ApiRequest, period_id: UUID, payload: ReleaseIn):
    """Record a release (first, or further after a recall). Cases paused on recall resume and
    every live case gets a gate-meeting task. 422 if the person is not in custody."""
    actor = actor_of(request)

    def act() -> tuple[int, dict, dict[str, str]]:
        period = policy.get_period_for_actor(actor, period_id)
        with transaction.atomic():
            try:
                period = services.custody_release(
                    actor=acting_member(request),
                    period=period,
                    request=request,
                    **payload.model_dump(),
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _body(period, selectors.shown_for(actor, period.person)), {}

    return idempotent(request, client_of(request).user, act)


@router.post(
    "/{uuid:period_id}/recall",
    response={200: CustodyPeriodOut, **problems(400, 403, 404, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="custody_recall",
)
def recall_period(request: ApiRequest, period_id: UUID, payload: RecallIn):
    """Record a recall. Every open case of the person is paused (never closed) and its worker and
    mentor told. 422 if the person has not been released."""
    actor = actor_of(request)

    def act() -> tuple[int, dict, dict[str, str]]:
        period = policy.get_period_for_actor(actor, period_id)
        with transaction.atomic():
            try:
                period = services.custody_recall(
                    actor=acting_member(request),
                    period=period,
                    recalled_on=payload.recalled_on,
                    recall_reason=payload.recall_reason,
                    request=request,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _body(period, selectors.shown_for(actor, period.person)), {}

    return idempotent(request, client_of(request).user, act)
