"""Tasks over the API (DESIGN §6): what someone must do for a case by a time (a gate meeting at
the gate at 8am, a review). A task goes with its case: whoever sees the case sees its tasks, and
another organisation's are case notes, so reading them is audited. Completing one is an action,
for the case's own staff (a peer mentor: on the cases they mentor)."""

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.http import HttpResponse
from ninja import Query, Router
from pydantic import Field

from resettle.access import policy
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
from resettle.api.errors import invalid_input
from resettle.api.idempotency import idempotent
from resettle.api.paging import PageParams, page_schema, paginate
from resettle.cases import selectors, services
from resettle.cases.models import Task, TaskKind, TaskState
from resettle.core.http import ApiRequest
from resettle.core.pathways import Pathway

router = Router(tags=["tasks"])


class TaskOut(ApiSchema):
    id: UUID
    person: UUID
    case: UUID
    organisation: UUID = Field(description="The organisation whose case it is.")
    kind: TaskKind
    title: str
    due_at: datetime
    place: str
    pathway: Pathway | None
    assigned_to: int | None = Field(description="The user id of whoever is to do it.")
    state: TaskState
    completed_at: datetime | None
    cancelled_at: datetime | None = Field(
        description="Set when the task stopped being needed: its case closed, or a release or "
        "recall changed the day it was planned for."
    )


TaskPage = page_schema("TaskPage", TaskOut)


class TaskFilters(ApiSchema):
    person: UUID | None = Field(
        None, description="Only this person's tasks (404 if you may not see them)."
    )
    case: UUID | None = Field(
        None, description="Only this case's tasks (404 if you may not see it)."
    )
    state: TaskState | None = None
    kind: TaskKind | None = None
    mine: bool = Field(False, description="Only tasks assigned to you.")
    due_after: datetime | None = Field(None, description="Due at or after this time.")
    due_before: datetime | None = Field(None, description="Due before this time.")


def _body(task: Task) -> dict:
    return TaskOut(
        id=task.pk,
        person=task.case.person_id,
        case=task.case_id,
        organisation=task.case.organisation_id,
        kind=TaskKind(task.kind),
        title=task.title,
        due_at=task.due_at,
        place=task.place,
        pathway=Pathway(task.pathway) if task.pathway else None,
        assigned_to=task.assigned_to_id,
        state=task.state,
        completed_at=task.completed_at,
        cancelled_at=task.cancelled_at,
    ).model_dump(mode="json")


def _visible(request: ApiRequest, task_id: UUID) -> Task:
    actor = actor_of(request)
    task = policy.get_task_for_actor(actor, task_id)
    selectors.record_task_reads(actor=actor, tasks=[task], request=request)
    return task


@router.get("", response={200: TaskPage, **problems(400, 404)}, url_name="task_list")
def list_tasks(request: ApiRequest, filters: Query[TaskFilters], paging: Query[PageParams]):
    """Tasks on the cases you may see (a peer mentor: the cases they mentor), soonest due
    first."""
    actor = actor_of(request)
    if (
        filters.due_after is not None
        and filters.due_before is not None
        and filters.due_before <= filters.due_after
    ):
        raise invalid_input([{"field": "due_before", "message": "Must be later than due_after"}])
    person = (
        policy.get_person_for_actor(actor, filters.person) if filters.person is not None else None
    )
    case = policy.get_case_for_actor(actor, filters.case) if filters.case is not None else None
    tasks = selectors.task_list(
        actor=actor,
        person=person,
        case=case,
        state=filters.state or "",
        kind=filters.kind or "",
        assigned_to_me=filters.mine,
        due_after=filters.due_after,
        due_before=filters.due_before,
    )
    page = paginate(request, tasks, paging)
    selectors.record_task_reads(actor=actor, tasks=page["results"], request=request)
    page["results"] = [_body(task) for task in page["results"]]
    return page


@router.get("/{uuid:task_id}", response={200: TaskOut, **problems(404)}, url_name="task_detail")
def get_task(request: ApiRequest, response: HttpResponse, task_id: UUID):
    task = _visible(request, task_id)
    set_etag(response, task)
    return _body(task)


@router.post(
    "/{uuid:task_id}/complete",
    response={200: TaskOut, **problems(400, 403, 404, 409, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY, IF_MATCH]},
    url_name="task_complete",
)
def complete_task(request: ApiRequest, task_id: UUID):
    """Mark the task done. 422 if it is already done or was cancelled; 409 if it has changed
    since the ETag you send in `If-Match`."""

    def act() -> tuple[int, dict, dict[str, str]]:
        task = _visible(request, task_id)
        with transaction.atomic():
            check_if_match(request, task)
            task = services.task_complete(actor=acting_member(request), task=task, request=request)
        return 200, _body(task), {}

    return idempotent(request, client_of(request).user, act)
