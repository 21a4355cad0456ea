"""Subject access packs over the API (UK GDPR article 15): ask for a person's pack, follow its
progress and download it. For the organisation's data-protection lead, about someone it holds
records about; asking, refusals and downloads are audited, and a pack is deleted 30 days after
it is made."""

from datetime import datetime
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
from resettle.api.errors import ApiProblem
from resettle.api.idempotency import idempotent
from resettle.core.http import ApiRequest
from resettle.dataprotection import services
from resettle.dataprotection.models import SubjectAccessExport, SubjectAccessState
from resettle.people.models import Person

router = Router(tags=["subject access exports"])


class SubjectAccessExportOut(ApiSchema):
    id: UUID
    person: UUID
    state: SubjectAccessState
    progress: int = Field(description="Per cent done.")
    error: str | None = Field(description="Why it could not be made, if it failed.")
    file_name: str | None
    download_url: str | None = Field(description="Where to download it, while it is ready.")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(
        description="When the pack's content is deleted; it cannot be downloaded after."
    )


def _body(request: ApiRequest, export: SubjectAccessExport) -> dict:
    ready = export.state == SubjectAccessState.DONE and not services.is_expired(export)
    return SubjectAccessExportOut(
        id=export.pk,
        person=export.person_id,
        state=SubjectAccessState(export.state),
        progress=export.progress,
        error=export.error or None,
        file_name=export.file_name or None,
        download_url=request.build_absolute_uri(
            reverse("api:subject_access_export_download", args=[export.person_id, export.pk])
        )
        if ready
        else None,
        created_at=export.created_at,
        finished_at=export.finished_at,
        expires_at=export.expires_at,
    ).model_dump(mode="json")


def _person(request: ApiRequest, person_id: UUID) -> Person:
    """The person (the same 404 as no one for those who may not ask about them); anyone but
    the organisation's data-protection lead is then refused (403, audited)."""
    actor = actor_of(request)
    person = policy.get_person_for_subject_access(actor, person_id)
    services.subject_access_check(actor=actor, person=person, request=request)
    return person


@router.post(
    "/{uuid:person_id}/subject-access-exports",
    response={202: SubjectAccessExportOut, **problems(403, 404)},
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    url_name="subject_access_export_create",
)
def create_subject_access_export(request: ApiRequest, person_id: UUID):
    """Ask for the person's subject access pack; it is built in the background (202: poll the
    `Location`). Only your organisation's data-protection lead may, for someone it holds
    records about (403, audited, for anyone else who may see the person)."""
    person = _person(request, person_id)
    actor = acting_member(request)

    def create() -> tuple[int, dict, dict[str, str]]:
        export = services.subject_access_export_request(actor=actor, person=person, request=request)
        export.refresh_from_db()
        location = request.build_absolute_uri(
            reverse("api:subject_access_export_detail", args=[person.pk, export.pk])
        )
        return 202, _body(request, export), {"Location": location}

    return idempotent(request, client_of(request).user, create)


@router.get(
    "/{uuid:person_id}/subject-access-exports/{uuid:job_id}",
    response={200: SubjectAccessExportOut, **problems(403, 404)},
    url_name="subject_access_export_detail",
)
def get_subject_access_export(request: ApiRequest, person_id: UUID, job_id: UUID):
    """One of the person's packs made for your organisation, with its progress."""
    person = _person(request, person_id)
    export = policy.get_subject_access_export_for_actor(acting_member(request), person, job_id)
    return _body(request, export)


@router.get(
    "/{uuid:person_id}/subject-access-exports/{uuid:job_id}/download",
    response={200: None, **problems(403, 404, 409, 410)},
    url_name="subject_access_export_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "A zip holding `index.html` (a printable pack) and "
                "`person.json` (the same data).",
                "content": {"application/zip": {}},
            }
        }
    },
)
def download_subject_access_export(request: ApiRequest, person_id: UUID, job_id: UUID):
    """The finished pack (409 until it is ready, 410 once deleted after its 30 days). Every
    download is audited in the person's access log."""
    person = _person(request, person_id)
    actor = acting_member(request)
    export = policy.get_subject_access_export_for_actor(actor, person, job_id)
    if services.is_expired(export):
        raise ApiProblem(410, services.DELETED)
    if export.state != SubjectAccessState.DONE:
        raise ApiProblem(409, f"The pack is not ready: {export.get_state_display().lower()}.")
    download = services.subject_access_export_download(actor=actor, export=export, request=request)
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
    return response
