"""Goals over the API (DESIGN §6): the action plan's goals with their steps and history. An
organisation sees its own goals and, where outcomes are shared, partners'; only the case's
organisation (or the person's mentor) changes them. A status change is recorded as a dated
update: history is added to, never overwritten."""

from datetime import date, datetime
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
from resettle.api.errors import field_errors, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest
from resettle.core.pathways import Pathway
from resettle.plans import selectors, services
from resettle.plans.models import Goal, GoalStatus, StepOwner

router = Router(tags=["goals"])


class StepOut(ApiSchema):
    id: UUID
    text: str
    owner_kind: StepOwner
    owner_name: str
    owner_organisation: UUID | None
    due_on: date | None
    done_on: date | None


class UpdateOut(ApiSchema):
    id: UUID
    on: date
    status_from: GoalStatus | None
    status_to: GoalStatus | None
    note: str


class GoalOut(ApiSchema):
    id: UUID
    person: UUID
    case: UUID
    organisation: UUID
    pathway: Pathway
    title: str
    in_own_words: str
    barriers: str
    status: GoalStatus
    due_on: date | None
    steps: list[StepOut]
    updates: list[UpdateOut] = Field(description="Progress, newest first.")
    created_at: datetime
    updated_at: datetime


GoalPage = page_schema("GoalPage", GoalOut)


class GoalFilters(ApiSchema):
    person: UUID | None = Field(None, description="Only this person's goals.")
    pathway: Pathway | None = None
    status: GoalStatus | None = None


class GoalCreate(ApiSchema):
    case: UUID = Field(description="A live case of your organisation.")
    pathway: Pathway
    title: str = Field(min_length=1, max_length=200)
    in_own_words: str = Field("", max_length=2000)
    barriers: str = Field("", max_length=2000)
    due_on: date | None = None


class GoalUpdate(ApiSchema):
    """Send only what changes. A new `status` is recorded as a dated update, with `note`."""

    title: str | None = Field(None, min_length=1, max_length=200)
    in_own_words: str | None = Field(None, max_length=2000)
    barriers: str | None = Field(None, max_length=2000)
    due_on: date | None = None
    status: GoalStatus | None = None
    note: str = Field("", max_length=2000, description="What has happened (with a status change).")


def _body(goal: Goal) -> dict:
    return GoalOut(
        id=goal.pk,
        person=goal.person_id,
        case=goal.case_id,
        organisation=goal.case.organisation_id,
        pathway=Pathway(goal.pathway),
        title=goal.title,
        in_own_words=goal.in_own_words,
        barriers=goal.barriers,
        status=GoalStatus(goal.status),
        due_on=goal.due_on,
        steps=[
            StepOut(
                id=s.pk,
                text=s.text,
                owner_kind=StepOwner(s.owner_kind),
                owner_name=s.owner_name,
                owner_organisation=s.owner_organisation_id,
                due_on=s.due_on,
                done_on=s.done_on,
            )
            for s in goal.steps.all()
        ],
        updates=[
            UpdateOut(
                id=u.pk,
                on=u.on,
                status_from=GoalStatus(u.status_from) if u.status_from else None,
                status_to=GoalStatus(u.status_to) if u.status_to else None,
                note=u.note,
            )
            for u in goal.updates.all()
        ],
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    ).model_dump(mode="json")


def _audit(request, actor, goals: list[Goal]) -> None:
    # One insert for the whole page, however many people it shows.
    selectors.audit_partner_reads_for_list(actor=actor, goals=goals, request=request)


@router.get("", response={200: GoalPage, **problems(400, 404)}, url_name="goal_list")
def list_goals(request: ApiRequest, filters: Query[GoalFilters], paging: Query[PageParams]):
    """Goals you may see. With `person`, 404 unless you may see that person."""
    actor = actor_of(request)
    if filters.person is not None:
        person = policy.get_person_for_actor(actor, filters.person)
        goals = policy.goals_for_person(actor, person)
    else:
        goals = policy.goals_visible_to(actor)
    if filters.pathway is not None:
        goals = goals.filter(pathway=filters.pathway)
    if filters.status is not None:
        goals = goals.filter(status=filters.status)
    goals = (
        goals.select_related("case")
        .prefetch_related("steps", "updates")
        .order_by("person_id", "pathway", "created_at")
    )
    page = paginate(request, goals, paging)
    _audit(request, actor, page["results"])
    page["results"] = [_body(goal) for goal in page["results"]]
    return page


@router.get("/{uuid:goal_id}", response={200: GoalOut, **problems(404)}, url_name="goal_detail")
def get_goal(request: ApiRequest, goal_id: UUID, response: HttpResponse):
    """One goal with its steps and history. The `ETag` header is the version for `If-Match`."""
    actor = actor_of(request)
    goal = policy.get_goal_for_actor(actor, goal_id, shaped=selectors.goals_shown)
    _audit(request, actor, [goal])
    set_etag(response, goal)
    return _body(goal)


@router.post(
    "",
    response={201: GoalOut, **problems(400, 403, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="goal_create",
)
def create_goal(request: ApiRequest, payload: GoalCreate):
    """Add a goal to the plan of a live case of your organisation."""
    actor = actor_of(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        case = named_in_body("case", policy.get_case_for_actor, actor, payload.case)
        data = payload.model_dump(mode="json", exclude={"case"})
        data["due_on"] = payload.due_on
        with transaction.atomic():
            try:
                goal = services.goal_create(
                    actor=acting_member(request), case=case, data=data, request=request
                )
            except ValidationError as exc:
                raise invalid_input(field_errors(exc)) from exc
        goal = policy.get_goal_for_actor(actor, goal.pk, shaped=selectors.goals_shown)
        location = request.build_absolute_uri(reverse("api:goal_detail", args=[goal.pk]))
        return 201, _body(goal), {"Location": location, "ETag": etag_for(goal)}

    return idempotent(request, client_of(request).user, create)


@router.patch(
    "/{uuid:goal_id}",
    response={200: GoalOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IF_MATCH]},
    url_name="goal_update",
)
def update_goal(request: ApiRequest, goal_id: UUID, payload: GoalUpdate, response: HttpResponse):
    """Change a goal. 403 for a partner's goal; 422 on a closed case."""
    actor = actor_of(request)
    goal = policy.get_goal_for_actor(actor, goal_id, shaped=selectors.goals_shown)
    if not policy.can_edit_goals(actor, goal.case):
        raise PermissionDenied(services.NOT_YOURS)
    sent = payload.model_dump(mode="json", exclude_unset=True, exclude={"status", "note"})
    if "due_on" in sent:
        sent["due_on"] = payload.due_on
    with transaction.atomic():
        check_if_match(request, goal)
        try:
            if sent:
                services.goal_update(
                    actor=acting_member(request), goal=goal, data=sent, request=request
                )
            if payload.status is not None or payload.note.strip():
                services.goal_progress(
                    actor=acting_member(request),
                    goal=goal,
                    on=date.today(),
                    status=payload.status.value if payload.status is not None else "",
                    note=payload.note,
                    request=request,
                )
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
    goal = policy.get_goal_for_actor(actor, goal.pk, shaped=selectors.goals_shown)
    set_etag(response, goal)
    return _body(goal)
