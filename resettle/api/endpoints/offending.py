"""Offence and risk over the API (DESIGN §6): a person's sentences, risk of serious harm and MAPPA
assessments and licence conditions, with the same rules and services as the pages. All of it is
offence information: probation and the prison under an agreement, or an open break-glass.
Every read is audited.

A person you may not see is 404; one you may see but whose offence information is not shared
with your organisation is 403 on their record, and 404 on any one record of theirs. Correcting
a sentence or ending a licence condition with an `If-Match` naming an older version is refused
with 409."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from ninja import Router
from pydantic import Field

from resettle.access import policy
from resettle.api.base import ApiSchema
from resettle.api.concurrency import expected_version, stale_version, version_etag
from resettle.api.endpoints.common import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    acting_member,
    actor_of,
    client_of,
    problems,
)
from resettle.api.errors import (
    NOT_BLANK_PATTERN,
    ApiProblem,
    field_errors,
    invalid_input,
    named_in_body,
)
from resettle.api.idempotency import idempotent
from resettle.core.http import ApiRequest
from resettle.evaluation.models import OffenceCategory
from resettle.offending import selectors, services
from resettle.offending.models import (
    MAX_DAYS,
    MAX_MONTHS,
    LicenceCondition,
    LicenceConditionKind,
    MappaCategory,
    MappaLevel,
    RiskAssessment,
    RoshLevel,
    Sentence,
    SentenceType,
)

people_router = Router(tags=["offence and risk"])
sentences_router = Router(tags=["offence and risk"])
risk_assessments_router = Router(tags=["offence and risk"])
licence_conditions_router = Router(tags=["offence and risk"])

NOT_SHARED = "Offence information about this person is not shared with your organisation."


# Shapes -----------------------------------------------------------------------------------------


class RecordedBy(ApiSchema):
    name: str
    organisation: UUID
    organisation_name: str


class SentenceOut(ApiSchema):
    id: UUID
    person: UUID
    index_offence_category: OffenceCategory
    sentence_type: SentenceType
    length_months: int | None = Field(description="Null for a life sentence or IPP.")
    length_days: int | None = Field(description="Null for a life sentence or IPP.")
    indeterminate: bool
    sentenced_on: date
    court: str
    notes: str
    version: int = Field(description="Counts corrections; also in the ETag.")
    recorded_by: RecordedBy
    created_at: datetime


class RiskAssessmentOut(ApiSchema):
    id: UUID
    person: UUID
    assessed_on: date
    rosh_level: RoshLevel
    mappa_category: MappaCategory
    mappa_level: MappaLevel
    notes: str
    current: bool = Field(description="False once a newer assessment has replaced it.")
    supersedes: UUID | None = Field(description="The assessment this one replaced.")
    recorded_by: RecordedBy
    created_at: datetime


class LicenceConditionOut(ApiSchema):
    id: UUID
    person: UUID
    kind: LicenceConditionKind
    wording: str
    starts_on: date
    ends_on: date | None = Field(description="The day it stops applying; null until it is ended.")
    in_force: bool = Field(description="False once its end date has come.")
    version: int = Field(description="Counts changes; also in the ETag.")
    recorded_by: RecordedBy
    created_at: datetime


class OffenceAndRiskOut(ApiSchema):
    person: UUID
    sentences: list[SentenceOut] = Field(description="The latest (the current sentence) first.")
    risk_assessments: list[RiskAssessmentOut] = Field(
        description="The current assessment first, then each one it replaced."
    )
    licence_conditions: list[LicenceConditionOut] = Field(
        description="Those in force or still to start first, then those ended."
    )


class SentenceCreate(ApiSchema):
    person: UUID
    index_offence_category: OffenceCategory
    sentence_type: SentenceType
    length_months: int | None = Field(
        None,
        ge=0,
        le=MAX_MONTHS,
        description="Months, days or both; none for a life sentence or IPP.",
    )
    length_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    sentenced_on: date = Field(description="Today or in the past.")
    court: str = Field("", max_length=200, examples=["Northshire Crown Court"])
    notes: str = Field("", max_length=2000)


class SentenceCorrection(ApiSchema):
    """Only the fields sent are corrected."""

    index_offence_category: OffenceCategory | None = None
    sentence_type: SentenceType | None = None
    length_months: int | None = Field(None, ge=0, le=MAX_MONTHS)
    length_days: int | None = Field(None, ge=0, le=MAX_DAYS)
    sentenced_on: date | None = None
    court: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)
    reason: str = Field(
        max_length=500, pattern=NOT_BLANK_PATTERN, description="Why it is being corrected."
    )


class RiskAssessmentCreate(ApiSchema):
    person: UUID
    assessed_on: date = Field(description="Today or in the past, not before the current one.")
    rosh_level: RoshLevel
    mappa_category: MappaCategory = Field(description="`none` if it is not a MAPPA case.")
    mappa_level: MappaLevel = Field(description="`none` exactly when the category is `none`.")
    notes: str = Field("", max_length=2000)


class LicenceConditionCreate(ApiSchema):
    person: UUID
    kind: LicenceConditionKind
    wording: str = Field(max_length=1000, examples=["Do not enter Millbrook town centre."])
    starts_on: date = Field(description="Usually the day of release; may be still to come.")
    ends_on: date | None = Field(None, description="Only if already set; on or after the start.")


class LicenceConditionEnd(ApiSchema):
    ends_on: date = Field(description="The day the condition stops applying.")


# Bodies -----------------------------------------------------------------------------------------


def _by(record: Sentence | RiskAssessment | LicenceCondition) -> RecordedBy:
    user = record.recorded_by
    return RecordedBy(
        name=user.get_full_name() or user.get_username(),
        organisation=record.organisation_id,
        organisation_name=record.organisation.name,
    )


def _sentence(sentence: Sentence) -> dict:
    return SentenceOut(
        id=sentence.pk,
        person=sentence.person_id,
        index_offence_category=OffenceCategory(sentence.index_offence_category),
        sentence_type=SentenceType(sentence.sentence_type),
        length_months=sentence.length_months,
        length_days=sentence.length_days,
        indeterminate=sentence.indeterminate,
        sentenced_on=sentence.sentenced_on,
        court=sentence.court,
        notes=sentence.notes,
        version=sentence.version,
        recorded_by=_by(sentence),
        created_at=sentence.created_at,
    ).model_dump(mode="json")


def _risk(assessment: RiskAssessment, current: bool) -> dict:
    return RiskAssessmentOut(
        id=assessment.pk,
        person=assessment.person_id,
        assessed_on=assessment.assessed_on,
        rosh_level=RoshLevel(assessment.rosh_level),
        mappa_category=MappaCategory(assessment.mappa_category),
        mappa_level=MappaLevel(assessment.mappa_level),
        notes=assessment.notes,
        current=current,
        supersedes=assessment.supersedes_id,
        recorded_by=_by(assessment),
        created_at=assessment.created_at,
    ).model_dump(mode="json")


def _condition(condition: LicenceCondition) -> dict:
    return LicenceConditionOut(
        id=condition.pk,
        person=condition.person_id,
        kind=LicenceConditionKind(condition.kind),
        wording=condition.wording,
        starts_on=condition.starts_on,
        ends_on=condition.ends_on,
        in_force=condition.live_on(date.today()),
        version=condition.version,
        recorded_by=_by(condition),
        created_at=condition.created_at,
    ).model_dump(mode="json")


# A person's offence and risk --------------------------------------------------------------------


@people_router.get(
    "/{uuid:person_id}/offence-and-risk",
    response={200: OffenceAndRiskOut, **problems(403, 404)},
    url_name="person_offence_and_risk",
)
def person_offence_and_risk(request: ApiRequest, person_id: UUID):
    """The person's sentences, risk assessments and licence conditions, with their history:
    what the Offence and risk page shows."""
    actor = actor_of(request)
    person = policy.get_person_for_actor(actor, person_id)
    record = selectors.offence_record(actor=actor, person=person, request=request)
    if record is None:
        raise ApiProblem(403, NOT_SHARED)
    current = record.current_risk
    return {
        "person": person.pk,
        "sentences": [_sentence(s) for s in record.sentences],
        "risk_assessments": [_risk(a, a is current) for a in record.risk_assessments],
        "licence_conditions": [
            _condition(c) for c in [*record.live_conditions, *record.ended_conditions]
        ],
    }


# Sentences --------------------------------------------------------------------------------------


@sentences_router.get(
    "/{uuid:sentence_id}",
    response={200: SentenceOut, **problems(404)},
    url_name="sentence_detail",
)
def get_sentence(request: ApiRequest, response: HttpResponse, sentence_id: UUID):
    """One sentence, with its version in the ETag: 404 unless you may read the person's
    offence information."""
    actor = actor_of(request)
    sentence = policy.get_sentence_for_actor(actor, sentence_id)
    selectors.record_offending_read(actor=actor, person=sentence.person, request=request)
    response["ETag"] = version_etag(sentence)
    return _sentence(sentence)


@sentences_router.patch(
    "/{uuid:sentence_id}",
    response={200: SentenceOut, **problems(400, 403, 404, 409)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="sentence_correct",
)
def correct_sentence(
    request: ApiRequest, response: HttpResponse, sentence_id: UUID, payload: SentenceCorrection
):
    """Put right a sentence recorded wrongly: send the fields to correct and why. (A later
    sentence is a new one: POST it.) The audit trail keeps what it said before."""
    actor = actor_of(request)
    sentence = policy.get_sentence_for_actor(actor, sentence_id)
    data = payload.model_dump(exclude_unset=True, exclude={"reason"})
    with transaction.atomic():
        try:
            sentence = services.sentence_correct(
                actor=acting_member(request),
                sentence=sentence,
                data=data,
                reason=payload.reason,
                expected_version=expected_version(request, sentence),
                request=request,
            )
        except services.StaleRecord as exc:
            raise stale_version(exc.record) from exc
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
    response["ETag"] = version_etag(sentence)
    return _sentence(sentence)


@sentences_router.post(
    "",
    response={201: SentenceOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="sentence_create",
)
def create_sentence(request: ApiRequest, payload: SentenceCreate):
    """Record a sentence (probation and prison staff who may read the person's offence
    information; 403 otherwise). A person you cannot see is invalid input (400)."""
    return _create(request, payload, services.sentence_record, _sentence, "sentence")


# Risk assessments -------------------------------------------------------------------------------


@risk_assessments_router.get(
    "/{uuid:risk_assessment_id}",
    response={200: RiskAssessmentOut, **problems(404)},
    url_name="risk_assessment_detail",
)
def get_risk_assessment(request: ApiRequest, risk_assessment_id: UUID):
    """One risk assessment: 404 unless you may read the person's offence information."""
    actor = actor_of(request)
    assessment = policy.get_risk_assessment_for_actor(actor, risk_assessment_id)
    selectors.record_offending_read(actor=actor, person=assessment.person, request=request)
    return _risk(assessment, current=not hasattr(assessment, "superseded_by"))


@risk_assessments_router.post(
    "",
    response={201: RiskAssessmentOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="risk_assessment_create",
)
def create_risk_assessment(request: ApiRequest, payload: RiskAssessmentCreate):
    """Record RoSH and MAPPA as assessed now. It supersedes the current assessment, which is
    kept as history."""
    return _create(
        request,
        payload,
        services.risk_assessment_record,
        lambda assessment: _risk(assessment, current=True),
        "risk_assessment",
    )


# Licence conditions -----------------------------------------------------------------------------


@licence_conditions_router.get(
    "/{uuid:condition_id}",
    response={200: LicenceConditionOut, **problems(404)},
    url_name="licence_condition_detail",
)
def get_licence_condition(request: ApiRequest, response: HttpResponse, condition_id: UUID):
    """One licence condition, with its version in the ETag: 404 unless you may read the
    person's offence information."""
    actor = actor_of(request)
    condition = policy.get_licence_condition_for_actor(actor, condition_id)
    selectors.record_offending_read(actor=actor, person=condition.person, request=request)
    response["ETag"] = version_etag(condition)
    return _condition(condition)


@licence_conditions_router.post(
    "",
    response={201: LicenceConditionOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="licence_condition_create",
)
def create_licence_condition(request: ApiRequest, payload: LicenceConditionCreate):
    """Add a licence condition from its start date (a release still to come, often)."""
    return _create(
        request, payload, services.licence_condition_record, _condition, "licence_condition"
    )


@licence_conditions_router.post(
    "/{uuid:condition_id}/end",
    response={200: LicenceConditionOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IF_MATCH, IDEMPOTENCY_KEY]},
    url_name="licence_condition_end",
)
def end_licence_condition(request: ApiRequest, condition_id: UUID, payload: LicenceConditionEnd):
    """End a licence condition: it stays on the record, with its end date, as history. 422 if
    it already has an end date."""
    actor = actor_of(request)

    def act() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            condition = policy.get_licence_condition_for_actor(actor, condition_id)
            try:
                condition = services.licence_condition_end(
                    actor=acting_member(request),
                    condition=condition,
                    ends_on=payload.ends_on,
                    expected_version=expected_version(request, condition),
                    request=request,
                )
            except services.StaleRecord as exc:
                raise stale_version(exc.record) from exc
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        return 200, _condition(condition), {"ETag": version_etag(condition)}

    return idempotent(request, client_of(request).user, act)


# Creating ---------------------------------------------------------------------------------------


def _create(
    request: ApiRequest,
    payload: SentenceCreate | RiskAssessmentCreate | LicenceConditionCreate,
    record: Callable[..., Sentence | RiskAssessment | LicenceCondition],
    body: Callable[[Any], dict],
    kind: str,
) -> HttpResponse:
    """Record one thing on the person the body names, as the pages do."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        person = named_in_body("person", policy.get_person_for_actor, actor, payload.person)
        data = payload.model_dump(exclude={"person"}, mode="python")
        with transaction.atomic():
            try:
                created = record(
                    actor=acting_member(request), person=person, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        location = reverse(f"api:{kind}_detail", args=[created.pk])
        return 201, body(created), {"Location": request.build_absolute_uri(location)}

    return idempotent(request, client_of(request).user, create)
