"""Outcome instruments and assessments over the API (DESIGN §6). Instruments are definitions,
readable by any client; an assessment is a person's answers to one instrument version at one
time point, read under the outcomes category and recorded by the organisation working with them
(on a closed case: follow-ups, without reopening it)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
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
from resettle.api.errors import ApiProblem, field_errors, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.http import ApiRequest
from resettle.outcomes import selectors, services
from resettle.outcomes.models import AnsweredBy, Assessment, Instrument, Timepoint

instruments_router = Router(tags=["instruments"])
assessments_router = Router(tags=["assessments"])


class BandOut(ApiSchema):
    code: str
    label: str
    min: int
    max: int


class QuestionOut(ApiSchema):
    code: str
    text: str
    short: str
    kind: str = Field(description="`integer`, `choice` or `text`.")
    min: int | None
    max: int | None
    unit: str
    options: list[dict[str, str]] = Field(description="`{value, label}` for a choice.")
    better: str = Field(description="`higher`, `lower`, or empty where not scored.")
    bands: list[BandOut]
    rater: str = Field(description="`person`, or `worker` for the worker's view.")
    pathway: str
    optional: bool


class InstrumentOut(ApiSchema):
    id: UUID
    code: str
    version: int
    name: str
    source: str
    introduction: str
    questions: list[QuestionOut]


class InstrumentSummaryOut(ApiSchema):
    id: UUID
    code: str
    version: int
    name: str


InstrumentPage = page_schema("InstrumentPage", InstrumentSummaryOut)


def _instrument_body(instrument: Instrument) -> dict:
    definition = instrument.parsed
    return InstrumentOut(
        id=instrument.pk,
        code=instrument.code,
        version=instrument.version,
        name=instrument.name,
        source=definition.source,
        introduction=definition.introduction,
        questions=[
            QuestionOut(
                code=q.code,
                text=q.text,
                short=q.short,
                kind=q.kind,
                min=q.low,
                max=q.high,
                unit=q.unit,
                options=[{"value": v, "label": label} for v, label in q.options],
                better=q.better,
                bands=[BandOut(code=b.code, label=b.label, min=b.low, max=b.high) for b in q.bands],
                rater=q.rater,
                pathway=q.pathway,
                optional=q.optional,
            )
            for q in definition.questions
        ],
    ).model_dump(mode="json")


class InstrumentFilters(ApiSchema):
    code: str | None = Field(None, max_length=60, description="Every version of one instrument.")


@instruments_router.get(
    "", response={200: InstrumentPage, **problems(400)}, url_name="instrument_list"
)
def list_instruments(
    request: ApiRequest, filters: Query[InstrumentFilters], paging: Query[PageParams]
):
    """Every instrument version loaded, by code, newest version first."""
    instruments = Instrument.objects.order_by("code", "-version")
    if filters.code:
        instruments = instruments.filter(code=filters.code)
    page = paginate(request, instruments, paging)
    page["results"] = [
        InstrumentSummaryOut(id=i.pk, code=i.code, version=i.version, name=i.name).model_dump(
            mode="json"
        )
        for i in page["results"]
    ]
    return page


@instruments_router.get(
    "/{uuid:instrument_id}",
    response={200: InstrumentOut, **problems(404)},
    url_name="instrument_detail",
)
def get_instrument(request: ApiRequest, instrument_id: UUID):
    """One instrument version with its questions, scales, scoring and bands."""
    instrument = Instrument.objects.filter(pk=instrument_id).first()
    if instrument is None:
        raise Http404("No such instrument")
    return _instrument_body(instrument)


class AssessmentOut(ApiSchema):
    id: UUID
    person: UUID
    case: UUID | None
    organisation: UUID
    instrument: str = Field(description="The instrument's code.")
    instrument_id: UUID
    instrument_version: int
    timepoint: Timepoint
    completed_on: date
    answered_by: AnsweredBy
    answers: dict[str, Any] = Field(
        description='Question code to answer; "missing" and "refused" are answers of their own.'
    )
    scores: dict[str, int]
    bands: dict[str, str]
    created_at: datetime


AssessmentPage = page_schema("AssessmentPage", AssessmentOut)


class AssessmentFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's assessments.")
    instrument: str | None = Field(None, max_length=60, description="An instrument's code.")
    timepoint: Timepoint | None = None


class AssessmentCreate(ApiSchema):
    person: UUID
    case: UUID | None = Field(
        None, description="Your organisation's case; a closed one takes follow-ups."
    )
    instrument: str = Field(max_length=60, description="The instrument's code.")
    instrument_version: int | None = Field(None, ge=1, description="The latest if not given.")
    timepoint: Timepoint
    completed_on: date
    answered_by: AnsweredBy
    answers: dict[str, int | str]


def _body(assessment: Assessment) -> dict:
    return AssessmentOut(
        id=assessment.pk,
        person=assessment.person_id,
        case=assessment.case_id,
        organisation=assessment.organisation_id,
        instrument=assessment.instrument.code,
        instrument_id=assessment.instrument_id,
        instrument_version=assessment.instrument.version,
        timepoint=Timepoint(assessment.timepoint),
        completed_on=assessment.completed_on,
        answered_by=AnsweredBy(assessment.answered_by),
        answers=assessment.answers,
        scores=assessment.scores,
        bands=assessment.bands,
        created_at=assessment.created_at,
    ).model_dump(mode="json")


@assessments_router.get(
    "", response={200: AssessmentPage, **problems(400, 404)}, url_name="assessment_list"
)
def list_assessments(
    request: ApiRequest, filters: Query[AssessmentFilters], paging: Query[PageParams]
):
    """Assessments you may see. With `person`, 404 unless you may see that person."""
    actor = actor_of(request)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        assessments = policy.assessments_for_person(actor, person)
    else:
        assessments = policy.assessments_visible_to(actor)
    if filters.instrument:
        assessments = assessments.filter(instrument__code=filters.instrument)
    if filters.timepoint is not None:
        assessments = assessments.filter(timepoint=filters.timepoint)
    assessments = assessments.select_related("instrument").order_by(
        "person_id", "completed_on", "created_at"
    )
    page = paginate(request, assessments, paging)
    selectors.audit_reads(actor=actor, assessments=page["results"], request=request)
    page["results"] = [_body(a) for a in page["results"]]
    return page


@assessments_router.get(
    "/{uuid:outcome_assessment_id}",
    response={200: AssessmentOut, **problems(404)},
    url_name="assessment_detail",
)
def get_assessment(request: ApiRequest, outcome_assessment_id: UUID):
    actor = actor_of(request)
    assessment = policy.get_outcome_assessment_for_actor(
        actor, outcome_assessment_id, shaped=lambda q: q.select_related("instrument")
    )
    selectors.audit_reads(actor=actor, assessments=[assessment], request=request)
    return _body(assessment)


def _instrument(payload: AssessmentCreate) -> Instrument:
    instruments = Instrument.objects.filter(code=payload.instrument)
    if payload.instrument_version is not None:
        instruments = instruments.filter(version=payload.instrument_version)
    instrument = instruments.order_by("-version").first()
    if instrument is None:
        raise invalid_input([{"field": "instrument", "message": "There is no such instrument"}])
    return instrument


@assessments_router.post(
    "",
    response={201: AssessmentOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="assessment_create",
)
def create_assessment(request: ApiRequest, payload: AssessmentCreate):
    """Record a person's answers. 400 for an answer outside its question's scale (each named);
    422 for a follow-up before the case ended, or a baseline or review after it closed."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        person = named_in_body("person", policy.get_person_for_actor, actor, payload.person)
        case = None
        if payload.case is not None:
            case = named_in_body("case", policy.get_case_for_actor, actor, payload.case)
        instrument = _instrument(payload)
        with transaction.atomic():
            try:
                assessment = services.assessment_record(
                    actor=acting_member(request),
                    person=person,
                    case=case,
                    instrument=instrument,
                    timepoint=payload.timepoint.value,
                    completed_on=payload.completed_on,
                    answered_by=payload.answered_by.value,
                    answers=payload.answers,
                    request=request,
                )
            except ValidationError as exc:
                errors = field_errors(exc)
                if set(exc.message_dict) == {"timepoint"}:
                    raise ApiProblem(422, errors[0]["message"], errors=errors) from exc
                raise invalid_input(errors) from exc
        location = request.build_absolute_uri(
            reverse("api:assessment_detail", args=[assessment.pk])
        )
        return 201, _body(assessment), {"Location": location}

    return idempotent(request, client_of(request).user, create)
