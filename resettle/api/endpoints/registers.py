"""Sessions, registers, programmes and enrolments over the API (DESIGN §6): the same rules as the
register pages. A session is the delivering organisation's; its register (`attendance`) takes
many marks in one request, each with a key of its own, so a register sent twice is counted once
and the answer says which marks were new."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import field_errors, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.http import ApiRequest
from resettle.core.state_machine import Transition
from resettle.registers import selectors, services
from resettle.registers.lifecycle import ACTIONS
from resettle.registers.models import (
    AttendanceStatus,
    CompletionRule,
    Enrolment,
    EnrolmentState,
    Programme,
    Session,
)

sessions_router = Router(tags=["sessions"])
programmes_router = Router(tags=["programmes"])
enrolments_router = Router(tags=["enrolments"])


# Sessions ---------------------------------------------------------------------------------------


class SessionOut(ApiSchema):
    id: UUID
    service: UUID
    programme: UUID | None
    programme_session: int | None = Field(description="Its number in the programme, from 1.")
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int | None
    open: bool = Field(description="Anyone may turn up; otherwise only enrolled people.")
    unregistered_headcount: int = Field(
        description="People at an open session who are not on its register: a number only."
    )
    cancelled: bool
    cancel_reason: str
    moved_from: datetime | None


SessionPage = page_schema("SessionPage", SessionOut)


class SessionFilters(ApiSchema):
    service: UUID | None = Field(None, description="Only this service's sessions.")
    on: date | None = Field(None, description="Only sessions starting on this day.")
    starts_after: date | None = Field(None, description="Sessions on or after this day.")
    starts_before: date | None = Field(None, description="Sessions before this day.")


class SessionCreate(ApiSchema):
    service: UUID = Field(description="A service of your organisation.")
    programme: UUID | None = None
    programme_session: int | None = Field(None, ge=1)
    starts_at: datetime
    ends_at: datetime
    place: str = Field("", max_length=200)
    capacity: int | None = Field(None, ge=0)
    open: bool = False
    under_18s_present: bool = False
    vulnerable_adults_present: bool = False


class MoveIn(ApiSchema):
    starts_at: datetime
    ends_at: datetime
    reason: str = Field("", max_length=500)


class SessionCancelIn(ApiSchema):
    reason: str = Field(max_length=500, description="Why; the people booked's workers are told.")


def _session_body(session: Session) -> dict:
    return SessionOut(
        id=session.pk,
        service=session.service_id,
        programme=session.programme_id,
        programme_session=session.programme_session,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.where,
        capacity=session.capacity,
        open=session.open,
        unregistered_headcount=session.unregistered_headcount,
        cancelled=session.cancelled,
        cancel_reason=session.cancel_reason,
        moved_from=session.moved_from,
    ).model_dump(mode="json")


@sessions_router.get("", response={200: SessionPage, **problems(400, 404)}, url_name="session_list")
def list_sessions(request: ApiRequest, filters: Query[SessionFilters], paging: Query[PageParams]):
    """Your organisation's sessions (a leader: the sessions they lead), soonest first."""
    sessions = selectors.session_list(
        actor=actor_of(request),
        on=filters.on,
        start=filters.starts_after,
        end=filters.starts_before,
    )
    if filters.service is not None:
        sessions = sessions.filter(service_id=filters.service)
    page = paginate(request, sessions, paging)
    page["results"] = [_session_body(s) for s in page["results"]]
    return page


@sessions_router.get(
    "/{uuid:session_id}", response={200: SessionOut, **problems(404)}, url_name="session_detail"
)
def get_session(request: ApiRequest, session_id: UUID):
    return _session_body(policy.get_session_for_actor(actor_of(request), session_id))


@sessions_router.post(
    "",
    response={201: SessionOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="session_create",
)
def create_session(request: ApiRequest, payload: SessionCreate):
    """Add a one-off session of a service of your organisation (its coordinators and admins).
    A service or programme you cannot see is invalid input (400)."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        service = named_in_body("service", policy.get_service_for_actor, actor, payload.service)
        data: dict[str, Any] = payload.model_dump(exclude={"service", "programme"})
        if payload.programme is not None:
            programme = Programme.objects.filter(pk=payload.programme, service=service).first()
            if programme is None:
                raise invalid_input(
                    [{"field": "programme", "message": "Choose a programme of this service"}]
                )
            data["programme"] = programme
        with transaction.atomic():
            try:
                session = services.session_create(
                    actor=acting_member(request), service=service, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:session_detail", args=[session.pk]))
        return 201, _session_body(session), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@sessions_router.post(
    "/{uuid:session_id}/cancel",
    response={200: SessionOut, **problems(400, 403, 404, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="session_cancel",
)
def cancel_session(request: ApiRequest, session_id: UUID, payload: SessionCancelIn):
    """Cancel a session (422 if it already is); the workers of the people booked are told."""
    actor = actor_of(request)

    def cancel() -> tuple[int, dict, dict[str, str]]:
        session = policy.get_session_for_actor(actor, session_id)
        with transaction.atomic():
            try:
                session = services.session_cancel(
                    actor=acting_member(request),
                    session=session,
                    reason=payload.reason,
                    request=request,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _session_body(session), {}

    return idempotent(request, client_of(request).user, cancel)


@sessions_router.post(
    "/{uuid:session_id}/move",
    response={200: SessionOut, **problems(400, 403, 404, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="session_move",
)
def move_session(request: ApiRequest, session_id: UUID, payload: MoveIn):
    """Move a session to another time (422 if it is cancelled); `moved_from` keeps where it
    was, and the workers of the people booked are told."""
    actor = actor_of(request)

    def move() -> tuple[int, dict, dict[str, str]]:
        session = policy.get_session_for_actor(actor, session_id)
        with transaction.atomic():
            try:
                session = services.session_move(
                    actor=acting_member(request),
                    session=session,
                    starts_at=payload.starts_at,
                    ends_at=payload.ends_at,
                    reason=payload.reason,
                    request=request,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _session_body(session), {}

    return idempotent(request, client_of(request).user, move)


# Attendance -------------------------------------------------------------------------------------


class AttendanceOut(ApiSchema):
    id: UUID
    session: UUID
    person: UUID
    status: AttendanceStatus


class MarkIn(ApiSchema):
    key: str = Field(
        min_length=1,
        max_length=100,
        description="Unique per mark (a UUID the device made): the same key sent again is "
        "taken once.",
    )
    person: UUID
    status: AttendanceStatus
    enrol_reason: str = Field(
        "",
        max_length=500,
        description="At an open session, someone not enrolled is enrolled now with this reason.",
    )
    over_capacity_reason: str = Field(
        "", max_length=500, description="Needed for a mark that takes the session over capacity."
    )


class MarksIn(ApiSchema):
    marks: list[MarkIn] = Field(min_length=1, max_length=200)


class MarkResultOut(ApiSchema):
    key: str
    new: bool = Field(description="False when the key was taken before: nothing changed.")
    attendance: AttendanceOut


class MarksOut(ApiSchema):
    results: list[MarkResultOut]


AttendancePage = page_schema("AttendancePage", AttendanceOut)


def _attendance_body(attendance) -> dict:
    return AttendanceOut(
        id=attendance.pk,
        session=attendance.session_id,
        person=attendance.person_id,
        status=AttendanceStatus(attendance.status),
    ).model_dump(mode="json")


@sessions_router.get(
    "/{uuid:session_id}/attendance",
    response={200: AttendancePage, **problems(400, 404)},
    url_name="attendance_list",
)
def list_attendance(request: ApiRequest, session_id: UUID, paging: Query[PageParams]):
    """The session's marks you may see: its organisation's, or a person you referred to the
    service where agreements give you their case notes."""
    actor = actor_of(request)
    marks = policy.attendance_visible_to(actor).filter(session_id=session_id)
    if not marks.exists():
        # A session you cannot see is a 404, as one that does not exist.
        policy.get_session_for_actor(actor, session_id)
    page = paginate(request, marks.order_by("created_at"), paging)
    page["results"] = [_attendance_body(a) for a in page["results"]]
    return page


@sessions_router.post(
    "/{uuid:session_id}/attendance",
    response={200: MarksOut, **problems(400, 403, 404, 422)},
    url_name="attendance_mark",
)
def mark_attendance(request: ApiRequest, session_id: UUID, payload: MarksIn):
    """Take many marks for one session in one request, all or none. A key taken before is
    answered `new: false` and changes nothing, so sending a register again is safe. 422 on a
    cancelled session, for someone not enrolled (at an open session, send `enrol_reason`), or
    over capacity without a reason."""
    actor = actor_of(request)
    session = policy.get_session_for_actor(actor, session_id)
    marks = [
        services.Mark(
            key=m.key,
            person_id=m.person,
            status=m.status.value,
            enrol_reason=m.enrol_reason,
            over_capacity_reason=m.over_capacity_reason,
        )
        for m in payload.marks
    ]
    with transaction.atomic():
        try:
            results = services.attendance_mark(
                actor=acting_member(request), session=session, marks=marks, request=request
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
    return {
        "results": [
            {"key": r.key, "new": r.new, "attendance": _attendance_body(r.attendance)}
            for r in results
        ]
    }


# Programmes -------------------------------------------------------------------------------------


class AwardOut(ApiSchema):
    name: str
    awarding_body: str
    level: str


class ProgrammeOut(ApiSchema):
    id: UUID
    service: UUID
    name: str
    sessions_planned: int
    completion_rule: CompletionRule
    minimum_attended: int | None = Field(description="For `at_least`: sessions to attend.")
    core_sessions: list[int] = Field(description="For `core_sessions`: their numbers.")
    award: AwardOut | None


ProgrammePage = page_schema("ProgrammePage", ProgrammeOut)


def _programme_body(programme: Programme) -> dict:
    return ProgrammeOut(
        id=programme.pk,
        service=programme.service_id,
        name=programme.name,
        sessions_planned=programme.sessions_planned,
        completion_rule=CompletionRule(programme.completion_rule),
        minimum_attended=programme.minimum_attended,
        core_sessions=programme.core_sessions,
        award=AwardOut(
            name=programme.award_name,
            awarding_body=programme.awarding_body,
            level=programme.award_level,
        )
        if programme.award_name
        else None,
    ).model_dump(mode="json")


class ProgrammeFilters(ApiSchema):
    service: UUID | None = None


@programmes_router.get(
    "", response={200: ProgrammePage, **problems(400, 404)}, url_name="programme_list"
)
def list_programmes(
    request: ApiRequest, filters: Query[ProgrammeFilters], paging: Query[PageParams]
):
    """Programmes of the services you may see."""
    programmes = policy.programmes_visible_to(actor_of(request)).order_by("name", "pk")
    if filters.service is not None:
        programmes = programmes.filter(service_id=filters.service)
    page = paginate(request, programmes, paging)
    page["results"] = [_programme_body(p) for p in page["results"]]
    return page


@programmes_router.get(
    "/{uuid:programme_id}",
    response={200: ProgrammeOut, **problems(404)},
    url_name="programme_detail",
)
def get_programme(request: ApiRequest, programme_id: UUID):
    return _programme_body(policy.get_programme_for_actor(actor_of(request), programme_id))


class ProgrammeCreate(ApiSchema):
    service: UUID = Field(description="A service of your organisation.")
    name: str = Field(min_length=1, max_length=200)
    sessions_planned: int = Field(ge=1, le=200)
    completion_rule: CompletionRule
    minimum_attended: int | None = Field(None, ge=1, description="Needed for `at_least`.")
    core_sessions: list[int] = Field(
        default_factory=list, description="Needed for `core_sessions`: their numbers, from 1."
    )
    award_name: str = Field("", max_length=200)
    awarding_body: str = Field("", max_length=200)
    award_level: str = Field("", max_length=50)


@programmes_router.post(
    "",
    response={201: ProgrammeOut, **problems(400, 403)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="programme_create",
)
def create_programme(request: ApiRequest, payload: ProgrammeCreate):
    """Set up a programme of a service of your organisation (its coordinators and admins)."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        service = named_in_body("service", policy.get_service_for_actor, actor, payload.service)
        data = payload.model_dump(exclude={"service"})
        data["completion_rule"] = payload.completion_rule.value
        with transaction.atomic():
            try:
                programme = services.programme_create(
                    actor=acting_member(request), service=service, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:programme_detail", args=[programme.pk]))
        return 201, _programme_body(programme), {"Location": location}

    return idempotent(request, client_of(request).user, create)


# Enrolments -------------------------------------------------------------------------------------


class EnrolmentOut(ApiSchema):
    id: UUID
    person: UUID
    service: UUID
    programme: UUID | None
    referral: UUID | None
    state: EnrolmentState
    enrolled_on: date
    completed_on: date | None
    award_achieved_on: date | None


EnrolmentPage = page_schema("EnrolmentPage", EnrolmentOut)


class EnrolmentFilters(ApiSchema):
    person: UUID | None = Field(
        None, description="Only this person's enrolments (404 if you may not see them)."
    )
    service: UUID | None = None
    programme: UUID | None = None
    state: EnrolmentState | None = None


class EnrolmentCreate(ApiSchema):
    person: UUID = Field(description="Someone your organisation works with.")
    service: UUID = Field(description="A service of your organisation.")
    programme: UUID | None = None
    reason: str = Field(
        min_length=1,
        max_length=500,
        description="Why they are enrolling without a referral (an accepted referral enrols "
        "by itself).",
    )
    suitability_confirmation: str = Field(
        "",
        max_length=500,
        description="Only the organisation that assessed their suitability may enrol someone "
        "a restriction would refuse, saying why here.",
    )


class EnrolmentCompleteIn(ApiSchema):
    completed_on: date | None = Field(None, description="Today if not given.")
    award_achieved_on: date | None = None


class WithdrawIn(ApiSchema):
    reason: str = Field(max_length=500)


def _enrolment_body(enrolment: Enrolment) -> dict:
    return EnrolmentOut(
        id=enrolment.pk,
        person=enrolment.person_id,
        service=enrolment.service_id,
        programme=enrolment.programme_id,
        referral=enrolment.referral_id,
        state=EnrolmentState(enrolment.state),
        enrolled_on=enrolment.enrolled_on,
        completed_on=enrolment.completed_on,
        award_achieved_on=enrolment.award_achieved_on,
    ).model_dump(mode="json")


@enrolments_router.get(
    "", response={200: EnrolmentPage, **problems(400, 404)}, url_name="enrolment_list"
)
def list_enrolments(
    request: ApiRequest, filters: Query[EnrolmentFilters], paging: Query[PageParams]
):
    """Enrolments you may see: in your organisation's services, or of people you referred
    where agreements give you their case notes."""
    actor = actor_of(request)
    enrolments = policy.enrolments_visible_to(actor)
    if filters.person is not None:
        # One rule for every list filtered by a person: 404 if you may not see them.
        policy.get_person_for_actor(actor, filters.person)
    for name in ("person", "service", "programme"):
        value = getattr(filters, name)
        if value is not None:
            enrolments = enrolments.filter(**{f"{name}_id": value})
    if filters.state is not None:
        enrolments = enrolments.filter(state=filters.state)
    page = paginate(request, enrolments.order_by("-enrolled_on", "-created_at", "pk"), paging)
    page["results"] = [_enrolment_body(e) for e in page["results"]]
    return page


@enrolments_router.get(
    "/{uuid:enrolment_id}",
    response={200: EnrolmentOut, **problems(404)},
    url_name="enrolment_detail",
)
def get_enrolment(request: ApiRequest, enrolment_id: UUID):
    return _enrolment_body(policy.get_enrolment_for_actor(actor_of(request), enrolment_id))


@enrolments_router.post(
    "",
    response={201: EnrolmentOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="enrolment_create",
)
def create_enrolment(request: ApiRequest, payload: EnrolmentCreate):
    """Enrol someone your organisation works with in one of its services, with a reason. A
    person or service you cannot see is invalid input (400); a suitability restriction 422."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        person = named_in_body("person", policy.get_person_for_actor, actor, payload.person)
        service = named_in_body("service", policy.get_service_for_actor, actor, payload.service)
        programme = None
        if payload.programme is not None:
            programme = Programme.objects.filter(pk=payload.programme, service=service).first()
            if programme is None:
                raise invalid_input(
                    [{"field": "programme", "message": "Choose a programme of this service"}]
                )
        with transaction.atomic():
            try:
                enrolment = services.enrolment_create(
                    actor=acting_member(request),
                    person=person,
                    service=service,
                    programme=programme,
                    reason=payload.reason,
                    suitability_confirmation=payload.suitability_confirmation,
                    request=request,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = request.build_absolute_uri(reverse("api:enrolment_detail", args=[enrolment.pk]))
        return 201, _enrolment_body(enrolment), {"Location": location}

    return idempotent(request, client_of(request).user, create)


PAYLOADS: dict[str, type[ApiSchema]] = {"complete": EnrolmentCompleteIn, "withdraw": WithdrawIn}
DOCS = {
    "complete": "The coordinator confirms the person completed, with the date of any award.",
    "withdraw": "The person leaves the service's sessions; their marks stay.",
}


def _act(request: ApiRequest, enrolment_id: UUID, action: str, arguments: dict) -> Any:
    actor = actor_of(request)

    def act() -> tuple[int, dict, dict[str, str]]:
        enrolment = policy.get_enrolment_for_actor(actor, enrolment_id)
        with transaction.atomic():
            try:
                enrolment = ACTIONS.run(
                    action,
                    actor=acting_member(request),
                    enrolment=enrolment,
                    request=request,
                    **arguments,
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _enrolment_body(enrolment), {}

    return idempotent(request, client_of(request).user, act)


def _mount(transition: Transition[Enrolment]) -> None:
    """`POST /enrolments/{id}/<action>` for one row of the lifecycle table."""
    name, schema = transition.name, PAYLOADS[transition.name]

    def operation(request: ApiRequest, enrolment_id: UUID, payload: schema):  # type: ignore[valid-type]
        return _act(
            request, enrolment_id, name, {f: getattr(payload, f) for f in transition.fields}
        )

    operation.__name__ = operation.__qualname__ = f"{name}_enrolment"
    operation.__doc__ = DOCS.get(name)
    enrolments_router.post(
        f"/{{uuid:enrolment_id}}/{transition.path}",
        url_name=f"enrolment_{name}",
        response={200: EnrolmentOut, **problems(400, 403, 404, 422)},
        openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    )(operation)


for _transition in ACTIONS:
    _mount(_transition)
