"""Exports over the API (DESIGN §6): ask for a cohort's Justice Data Lab file or an
evaluation's pseudonymised extract, follow its progress, and download it when it is ready.
For analysts and partnership managers; a file leaves only under an agreement in force that
permits it, and asking, refusals and downloads are audited."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router
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
from resettle.api.errors import ApiProblem, invalid_input, named_in_body
from resettle.api.idempotency import idempotent
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest
from resettle.evaluation import services
from resettle.evaluation.extracts import XLSX_TYPE
from resettle.evaluation.models import ExportJob, ExportKind, ExportState

router = Router(tags=["exports"])

FileFormat = Literal["csv", "xlsx"]


class ExportOut(ApiSchema):
    id: UUID
    kind: ExportKind
    cohort: UUID | None
    evaluation: UUID | None
    state: ExportState
    progress: int = Field(description="Per cent done.")
    rows: int | None = Field(description="People in the file, once it is ready.")
    error: str | None = Field(description="Why it could not be made, if it failed.")
    file_name: str | None
    download_url: str | None = Field(description="Where to download it, once it is ready.")
    created_at: datetime
    finished_at: datetime | None


class ExportCreate(ApiSchema):
    kind: Literal["jdl_cohort", "evaluator_extract"]
    cohort: UUID | None = Field(None, description="For `jdl_cohort`: your organisation's cohort.")
    evaluation: UUID | None = Field(
        None, description="For `evaluator_extract`: your organisation's evaluation."
    )


def _body(request: ApiRequest, job: ExportJob) -> dict:
    done = job.state == ExportState.DONE
    return ExportOut(
        id=job.pk,
        kind=ExportKind(job.kind),
        cohort=job.cohort_id,
        evaluation=job.evaluation_id,
        state=ExportState(job.state),
        progress=job.progress,
        rows=job.rows,
        error=job.error or None,
        file_name=job.file_name or None,
        download_url=request.build_absolute_uri(reverse("api:export_download", args=[job.pk]))
        if done
        else None,
        created_at=job.created_at,
        finished_at=job.finished_at,
    ).model_dump(mode="json")


def _evaluator(request: ApiRequest) -> None:
    if not policy.can_evaluate(actor_of(request)):
        raise PermissionDenied(services.NOT_EVALUATOR)


@router.post(
    "",
    response={202: ExportOut, **problems(400, 403, 422)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="export_create",
)
def create_export(request: ApiRequest, payload: ExportCreate):
    """Ask for a file; it is built in the background (202: poll the `Location`). Refused (403,
    audited) without an agreement permitting it; a JDL cohort with fewer than 60 qualifying
    people is refused with the count (422)."""
    _evaluator(request)
    actor = acting_member(request)
    wanted = "cohort" if payload.kind == ExportKind.JDL_COHORT else "evaluation"
    other = "evaluation" if wanted == "cohort" else "cohort"
    if getattr(payload, other) is not None:
        raise invalid_input([{"field": other, "message": f"Not used for {payload.kind}"}])
    record_id = getattr(payload, wanted)
    if record_id is None:
        raise invalid_input([{"field": wanted, "message": f"Give the {wanted}"}])

    def create() -> tuple[int, dict, dict[str, str]]:
        if wanted == "cohort":
            cohort = named_in_body("cohort", policy.get_cohort_for_actor, actor, record_id)
            job = services.export_request(actor=actor, cohort=cohort, request=request)
        else:
            evaluation = named_in_body(
                "evaluation", policy.get_evaluation_for_actor, actor, record_id
            )
            job = services.export_request(actor=actor, evaluation=evaluation, request=request)
        job.refresh_from_db()
        location = request.build_absolute_uri(reverse("api:export_detail", args=[job.pk]))
        return 202, _body(request, job), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@router.get(
    "/{uuid:export_id}", response={200: ExportOut, **problems(403, 404)}, url_name="export_detail"
)
def get_export(request: ApiRequest, export_id: UUID):
    """An export you asked for, with its progress: 404 for anyone else's."""
    _evaluator(request)
    return _body(request, policy.get_export_for_actor(actor_of(request), export_id))


@router.get(
    "/{uuid:export_id}/download",
    response={200: None, **problems(403, 404, 409, 422)},
    url_name="export_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file: CSV (or XLSX) for a JDL cohort, a zip of CSV files "
                "with a data dictionary for an evaluator extract.",
                "content": {"text/csv": {}, "application/zip": {}, XLSX_TYPE: {}},
            }
        }
    },
)
def download_export(request: ApiRequest, export_id: UUID, format: FileFormat = "csv"):
    """The finished file (409 until it is ready); a JDL cohort's also as `format=xlsx` (422 for
    an extract). Every download is audited."""
    _evaluator(request)
    actor = acting_member(request)
    job = policy.get_export_for_actor(actor, export_id)
    if job.state != ExportState.DONE:
        raise ApiProblem(409, f"The file is not ready: {job.get_state_display().lower()}.")
    download = services.export_download(
        actor=actor, job=job, as_xlsx=format == "xlsx", request=request
    )
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
    return response
