"""Suitability assessments over the API (DESIGN §6): the same rules as the pages. Reading needs
the `risk_suitability` category for the person; named people to avoid are shown only to the
organisation that assessed; every read of the answers is audited."""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
from resettle.access.registry import category_of
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
from resettle.audit.services import record_read
from resettle.core.http import ApiRequest
from resettle.people.models import Person
from resettle.suitability import selectors, services
from resettle.suitability.models import (
    ANSWER_FIELDS,
    YES_NO_FIELDS,
    Answer,
    SuitabilityAssessment,
    SuitabilityReviewRequest,
    YesNo,
)

router = Router(tags=["suitability assessments"])

NOT_SHARED = "Suitability information about this person is not shared with your organisation."
ANSWER_KEYS = frozenset({*ANSWER_FIELDS, *YES_NO_FIELDS, "areas_to_avoid", "measures"})
NAMES_DESCRIPTION = (
    "Who they must not be in contact with. Only the organisation that made the assessment sees "
    "the names; for everyone else this is null, and `named_contact_restriction` says whether a "
    "restriction applies (ask the assessor)."
)


class AnswersIn(ApiSchema):
    group_sessions_with_adults: Answer
    sessions_with_under_18s_present: Answer
    sessions_with_vulnerable_adults_present: Answer
    one_to_one_sessions: Answer
    two_staff_needed: YesNo
    areas_to_avoid: str = Field("", max_length=1000, examples=["The town centre of Millbrook"])
    measures: str = Field(
        "",
        max_length=2000,
        description="What partners should do. Needed when any answer is `yes_with_measures`.",
    )
    named_contact_restriction: YesNo
    named_people_to_avoid: str = Field(
        "", max_length=1000, description="Needed when `named_contact_restriction` is `yes`."
    )


class AnswersOut(ApiSchema):
    group_sessions_with_adults: Answer
    sessions_with_under_18s_present: Answer
    sessions_with_vulnerable_adults_present: Answer
    one_to_one_sessions: Answer
    two_staff_needed: YesNo
    areas_to_avoid: str
    measures: str
    named_contact_restriction: YesNo
    named_people_to_avoid: str | None = Field(description=NAMES_DESCRIPTION)


class AssessorOut(ApiSchema):
    name: str
    organisation: UUID
    organisation_name: str
    contact: str = Field(description="How to reach the assessor: a phone number or email.")


class SuitabilityAssessmentOut(ApiSchema):
    id: UUID
    person: UUID
    answers: AnswersOut
    assessed_on: date
    review_on: date
    expired: bool = Field(description="True once the review date has passed.")
    current: bool = Field(description="False once a newer assessment has replaced it.")
    assessed_by: AssessorOut
    supersedes: UUID | None = Field(description="The assessment this one replaced.")
    superseded_by: UUID | None = Field(description="The assessment that replaced this one.")
    created_at: datetime


SuitabilityAssessmentPage = page_schema(
    "SuitabilityAssessmentPage",
    SuitabilityAssessmentOut,
    "A page of a person's assessments, newest (the current one) first.",
)


class SuitabilityAssessmentCreate(ApiSchema):
    person: UUID
    assessed_on: date = Field(description="Today or in the past.")
    review_on: date = Field(
        description="After today and the assessment date, within 12 months of the assessment."
    )
    assessor_contact: str = Field(max_length=200, examples=["01632 960101"])
    answers: AnswersIn


class SuitabilityFilters(ApiSchema):
    person: UUID = Field(description="Whose assessments to list.")


class ReviewRequestIn(ApiSchema):
    note: str = Field("", max_length=1000, description="Anything the assessor should know.")


class ReviewRequestOut(ApiSchema):
    id: UUID
    assessment: UUID
    person: UUID
    organisation: UUID
    note: str
    created_at: datetime
    done_at: datetime | None = Field(description="When a new assessment answered it.")


def _body(actor: Membership | None, assessment: SuitabilityAssessment) -> dict:
    answers = {name: getattr(assessment, name) for name in ANSWER_KEYS}
    shows_names = policy.can_see_named_people_to_avoid(actor, assessment)
    answers["named_people_to_avoid"] = assessment.named_people_to_avoid if shows_names else None
    superseded_by = getattr(assessment, "superseded_by", None)
    return SuitabilityAssessmentOut(
        id=assessment.pk,
        person=assessment.person_id,
        answers=AnswersOut(**answers),
        assessed_on=assessment.assessed_on,
        review_on=assessment.review_on,
        expired=assessment.expired,
        current=superseded_by is None,
        assessed_by=AssessorOut(
            name=assessment.assessor_name,
            organisation=assessment.assessor_organisation_id,
            organisation_name=assessment.assessor_organisation.name,
            contact=assessment.assessor_contact,
        ),
        supersedes=assessment.supersedes_id,
        superseded_by=superseded_by.pk if superseded_by else None,
        created_at=assessment.created_at,
    ).model_dump(mode="json")


def _review_body(review: SuitabilityReviewRequest) -> dict:
    return ReviewRequestOut(
        id=review.pk,
        assessment=review.assessment_id,
        person=review.assessment.person_id,
        organisation=review.organisation_id,
        note=review.note,
        created_at=review.created_at,
        done_at=review.done_at,
    ).model_dump(mode="json")


def _answers_field(field: str) -> str:
    return f"answers.{field}" if field in ANSWER_KEYS | {"named_people_to_avoid"} else field


def _readable_person(actor: Membership | None, person_id: UUID) -> Person:
    """The person (404 if not the actor's to see), or 403 when they may not read suitability."""
    person = policy.get_person_for_actor(actor, person_id)
    if not policy.can_view_suitability(actor, person):
        raise ApiProblem(403, NOT_SHARED)
    return person


@router.get(
    "",
    response={200: SuitabilityAssessmentPage, **problems(400, 403, 404)},
    url_name="suitability_list",
)
def list_assessments(
    request: ApiRequest, filters: Query[SuitabilityFilters], paging: Query[PageParams]
):
    """A person's suitability assessments, the current one first. 403 when your organisation
    may see the person but not their suitability."""
    actor = actor_of(request)
    person = _readable_person(actor, filters.person)
    page = paginate(request, selectors.assessment_history(person=person), paging)
    if page["results"]:
        record_read(
            actor=actor,
            person=person,
            categories=[category_of(selectors.ASSESSMENT)],
            request=request,
        )
    page["results"] = [_body(actor, assessment) for assessment in page["results"]]
    return page


@router.get(
    "/{uuid:assessment_id}",
    response={200: SuitabilityAssessmentOut, **problems(404)},
    url_name="suitability_detail",
)
def get_assessment(request: ApiRequest, assessment_id: UUID):
    """One assessment: 404 unless you may read this person's suitability."""
    actor = actor_of(request)
    assessment = policy.get_assessment_for_actor(actor, assessment_id)
    record_read(
        actor=actor,
        person=assessment.person,
        categories=[category_of(selectors.ASSESSMENT)],
        request=request,
    )
    return _body(actor, assessment)


@router.post(
    "",
    response={201: SuitabilityAssessmentOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="suitability_create",
)
def create_assessment(request: ApiRequest, payload: SuitabilityAssessmentCreate):
    """Record a new assessment (probation, prison or lead charity, working with the person). It
    replaces the current one and answers open review requests. Nothing is saved unless all of
    it is valid."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        with transaction.atomic():
            person = policy.get_person_for_actor(actor, payload.person)
            data = payload.model_dump(exclude={"person", "answers"}) | payload.answers.model_dump(
                mode="json"
            )
            try:
                assessment = services.suitability_assessment_record(
                    actor=acting_member(request), person=person, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc, _answers_field)) from exc
        location = reverse("api:suitability_detail", args=[assessment.pk])
        headers = {"Location": request.build_absolute_uri(location)}
        return 201, _body(actor, assessment), headers

    return idempotent(request, client_of(request).user, create)


@router.post(
    "/{uuid:assessment_id}/request-review",
    response={201: ReviewRequestOut, **problems(400, 403, 404, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="suitability_request_review",
)
def request_review(request: ApiRequest, assessment_id: UUID, payload: ReviewRequestIn):
    """Ask the assessor to review the current assessment: a task for them until a new one is
    recorded. 422 if your organisation has already asked, or a newer one exists."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        assessment = policy.get_assessment_for_actor(actor, assessment_id)
        try:
            review = services.suitability_review_request(
                actor=acting_member(request),
                assessment=assessment,
                note=payload.note,
                request=request,
            )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
        return 201, _review_body(review), {}

    return idempotent(request, client_of(request).user, create)
