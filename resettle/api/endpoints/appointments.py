"""Appointments over the API (DESIGN §6): the same rules and services as the pages. An
organisation sees its own appointments (a peer mentor: on the cases they mentor, or with them)
and partners' where case notes are shared. State changes are actions: reschedule, cancel and
record-outcome (which makes the contact)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.accounts.models import Membership, User
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
from resettle.api.errors import field_errors, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.appointments import selectors, services
from resettle.appointments.lifecycle import ACTIONS
from resettle.appointments.models import (
    Appointment,
    AppointmentKind,
    AppointmentMode,
    AppointmentState,
)
from resettle.contacts.models import CancelledBy, ContactOutcome
from resettle.core.exceptions import ApplicationError
from resettle.core.http import ApiRequest
from resettle.core.state_machine import Transition

router = Router(tags=["appointments"])
DOUBLE_BOOKED = "Send `book_anyway: true` to book them all the same."


class AppointmentOut(ApiSchema):
    id: UUID
    person: UUID
    case: UUID
    organisation: UUID
    with_user: int = Field(description="The user id of the worker or mentor meeting the person.")
    starts_at: datetime
    ends_at: datetime
    place: str
    mode: AppointmentMode
    kind: AppointmentKind
    note: str
    state: AppointmentState
    cancelled_by: CancelledBy | None = Field(description="Who cancelled; null unless cancelled.")
    cancel_reason: str
    contact: UUID | None = Field(description="The contact its outcome made, once recorded.")
    version: int


AppointmentPage = page_schema("AppointmentPage", AppointmentOut)


class AppointmentFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's appointments.")
    state: AppointmentState | None = None
    starts_after: datetime | None = Field(None, description="Starting at or after this time.")
    starts_before: datetime | None = Field(None, description="Starting before this time.")


class AppointmentCreate(ApiSchema):
    case: UUID = Field(description="A live case of your organisation.")
    kind: AppointmentKind
    starts_at: datetime = Field(description="Not in the past (record a contact instead).")
    minutes: int = Field(ge=5, le=600, description="How long it is.")
    place: str = Field("", max_length=200, description="Needed for a meeting in person.")
    with_user: int | None = Field(
        None, description="Who meets the person: you, unless you name a colleague."
    )
    note: str = Field("", max_length=1000)
    book_anyway: bool = Field(
        False, description="Book even when the worker already has an appointment then."
    )


class RescheduleIn(ApiSchema):
    starts_at: datetime
    minutes: int = Field(ge=5, le=600)
    place: str | None = Field(None, max_length=200, description="Unchanged if left out.")
    reason: str = Field("", max_length=200)
    book_anyway: bool = False


class CancelIn(ApiSchema):
    cancelled_by: CancelledBy
    reason: str = Field("", max_length=200)


class OutcomeIn(ApiSchema):
    outcome: ContactOutcome
    cancelled_by: CancelledBy | None = Field(None, description="Needed when cancelled.")
    note: str = Field("", max_length=4000, description="The contact's note.")


def _body(appointment: Appointment) -> dict:
    return AppointmentOut(
        id=appointment.pk,
        person=appointment.person_id,
        case=appointment.case_id,
        organisation=appointment.organisation_id,
        with_user=appointment.with_user_id,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        place=appointment.place,
        mode=AppointmentMode(appointment.mode),
        kind=AppointmentKind(appointment.kind),
        note=appointment.note,
        state=AppointmentState(appointment.state),
        cancelled_by=CancelledBy(appointment.cancelled_by) if appointment.cancelled_by else None,
        cancel_reason=appointment.cancel_reason,
        contact=appointment.contact_id,
        version=appointment.version,
    ).model_dump(mode="json")


def _visible(request: ApiRequest, appointment_id: UUID) -> Appointment:
    actor = actor_of(request)
    appointment = policy.get_appointment_for_actor(actor, appointment_id)
    selectors.audit_reads(actor=actor, appointments=[appointment], request=request)
    return appointment


def _with_user(actor: Membership, user_id: int | None) -> User:
    if user_id is None:
        return actor.user
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise invalid_input(
            [{"field": "with_user", "message": "No such user in your organisation"}]
        )
    return user


def _invalid(exc: ValidationError) -> Exception:
    return invalid_input(field_errors(exc, lambda name: "starts_at" if name == "on" else name))


def _double_booked(exc: services.DoubleBooked) -> Exception:
    return ApplicationError(f"{exc.message} {DOUBLE_BOOKED}")


@router.get("", response={200: AppointmentPage, **problems(400, 404)}, url_name="appointment_list")
def list_appointments(
    request: ApiRequest, filters: Query[AppointmentFilters], paging: Query[PageParams]
):
    """Appointments you may see, soonest first. With `person`, 404 unless you may see them."""
    actor = actor_of(request)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        appointments = policy.appointments_for_person(actor, person)
    else:
        appointments = policy.appointments_visible_to(actor)
    if filters.state is not None:
        appointments = appointments.filter(state=filters.state)
    if filters.starts_after is not None:
        appointments = appointments.filter(starts_at__gte=filters.starts_after)
    if filters.starts_before is not None:
        appointments = appointments.filter(starts_at__lt=filters.starts_before)
    page = paginate(request, appointments.order_by("starts_at", "pk"), paging)
    selectors.audit_reads(actor=actor, appointments=page["results"], request=request)
    page["results"] = [_body(appointment) for appointment in page["results"]]
    return page


@router.get(
    "/{uuid:appointment_id}",
    response={200: AppointmentOut, **problems(404)},
    url_name="appointment_detail",
)
def get_appointment(request: ApiRequest, response: HttpResponse, appointment_id: UUID):
    """One appointment: 404 unless you may see it."""
    appointment = _visible(request, appointment_id)
    set_etag(response, appointment)
    return _body(appointment)


@router.post(
    "",
    response={201: AppointmentOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="appointment_create",
)
def create_appointment(request: ApiRequest, payload: AppointmentCreate):
    """Book an appointment on a live case of your organisation (a peer mentor: a case they
    mentor, with themselves). A case you cannot see is invalid input (400); a time that has
    passed is 400 (record a contact instead); a worker already booked then is 422 unless
    `book_anyway`."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        case = named_in_body("case", policy.get_case_for_actor, actor, payload.case)
        member = acting_member(request)
        with transaction.atomic():
            try:
                appointment = services.appointment_book(
                    actor=member,
                    case=case,
                    with_user=_with_user(member, payload.with_user),
                    kind=str(payload.kind.value),
                    starts_at=payload.starts_at,
                    minutes=payload.minutes,
                    place=payload.place,
                    note=payload.note,
                    book_anyway=payload.book_anyway,
                    request=request,
                )
            except services.DoubleBooked as exc:
                raise _double_booked(exc) from exc
            except ValidationError as exc:
                raise _invalid(exc) from exc
        location = request.build_absolute_uri(
            reverse("api:appointment_detail", args=[appointment.pk])
        )
        return 201, _body(appointment), {"Location": location}

    return idempotent(request, client_of(request).user, create)


def _act(request: ApiRequest, appointment_id: UUID, action: str, arguments: dict) -> Any:
    def act() -> tuple[int, dict, dict[str, str]]:
        appointment = _visible(request, appointment_id)
        with transaction.atomic():
            check_if_match(request, appointment)
            try:
                appointment = ACTIONS.run(
                    action,
                    actor=acting_member(request),
                    appointment=appointment,
                    request=request,
                    **arguments,
                )
            except services.DoubleBooked as exc:
                raise _double_booked(exc) from exc
            except ValidationError as exc:
                raise _invalid(exc) from exc
        return 200, _body(appointment), {}

    return idempotent(request, client_of(request).user, act)


ACTION: dict[str, Any] = {
    "response": {200: AppointmentOut, **problems(400, 403, 404, 409, 422)},
    "openapi_extra": {"parameters": [IDEMPOTENCY_KEY, IF_MATCH]},
}
PAYLOADS: dict[str, type[ApiSchema]] = {
    "reschedule": RescheduleIn,
    "cancel": CancelIn,
    "record_outcome": OutcomeIn,
}
DOCS = {
    "reschedule": "Move a booked appointment; its earlier time is kept in its history.",
    "cancel": "Cancel a booked appointment ahead of its time, saying who cancelled.",
    "record_outcome": "Once its time has come, record what happened: the contact is made now, "
    "with the appointment's kind, time and length (422 before the time, or a second time).",
}


def _arguments(payload: ApiSchema) -> dict[str, Any]:
    values = payload.model_dump(mode="python")
    return {
        name: (str(value.value) if hasattr(value, "value") else value)
        for name, value in values.items()
        if not (name == "cancelled_by" and value is None)
    }


def _mount(transition: Transition[Appointment]) -> None:
    """`POST /appointments/{id}/<action>` for one row of the lifecycle table."""
    name, schema = transition.name, PAYLOADS[transition.name]

    def operation(request: ApiRequest, appointment_id: UUID, payload: schema):  # type: ignore[valid-type]
        return _act(request, appointment_id, name, _arguments(payload))

    operation.__name__ = operation.__qualname__ = f"{name}_appointment"
    operation.__doc__ = DOCS.get(name)
    router.post(
        f"/{{uuid:appointment_id}}/{transition.path}", url_name=f"appointment_{name}", **ACTION
    )(operation)


for _transition in ACTIONS:
    _mount(_transition)
