"""Subject access packs over the API: ask (202 with the job's URL), follow, download; refusals
(403 audited for those who see the person, 404 for those who do not) and bad ids."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.audit.models import AuditAction, AuditEvent
from resettle.dataprotection.models import SubjectAccessExport, SubjectAccessState

pytestmark = pytest.mark.django_db


def _exports(person) -> str:
    return f"/api/v1/people/{person.pk}/subject-access-exports"


def test_the_lead_asks_follows_and_downloads_a_pack(
    api_as, lead, person, django_capture_on_commit_callbacks
):
    api = api_as(lead)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(_exports(person), {})
    assert created.status_code == 202, created.content
    body = created.json()
    export = SubjectAccessExport.objects.get()
    assert body["id"] == str(export.pk)
    assert body["person"] == str(person.pk)
    assert created["Location"].endswith(f"{_exports(person)}/{export.pk}")
    status = api.get(f"{_exports(person)}/{export.pk}")
    assert status.status_code == 200
    assert status.json()["state"] == "done"
    assert status.json()["expires_at"]
    download_url = status.json()["download_url"]
    assert download_url.endswith(f"{_exports(person)}/{export.pk}/download")
    download = api.get(f"{_exports(person)}/{export.pk}/download")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(reason__startswith="Downloaded").count() == 1


def test_a_pack_not_yet_ready_is_409_and_a_deleted_one_410(api_as, lead, person):
    export = SubjectAccessExport.objects.create(
        organisation=lead.organisation, person=person, requested_by=lead.user
    )
    api = api_as(lead)
    url = f"{_exports(person)}/{export.pk}/download"
    assert api.get(url).status_code == 409
    assert api.get(f"{_exports(person)}/{export.pk}").json()["download_url"] is None
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        state=SubjectAccessState.DONE, expires_at=timezone.now() - timedelta(minutes=1)
    )
    gone = api.get(url)
    assert gone.status_code == 410
    assert gone["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["post", "get", "download"])
def test_someone_who_sees_the_person_but_is_not_the_lead_is_refused_and_audited(
    api_as, cast, person, method
):
    export = SubjectAccessExport.objects.create(
        organisation=cast.lead_charity, person=person, requested_by=cast.admin.user
    )
    api = api_as(cast.caseworker)
    if method == "post":
        response = api.post(_exports(person), {})
    elif method == "get":
        response = api.get(f"{_exports(person)}/{export.pk}")
    else:
        response = api.get(f"{_exports(person)}/{export.pk}/download")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    refusal = AuditEvent.objects.get(reason__startswith="Refused:")
    assert refusal.person_id == person.pk
    assert SubjectAccessExport.objects.count() == 1


def test_someone_who_may_not_see_the_person_gets_the_same_404_as_for_no_one(api_as, cast, person):
    api = api_as(cast.analyst)
    assert api.post(_exports(person), {}).status_code == 404
    missing = api.post(f"/api/v1/people/{uuid.uuid4()}/subject-access-exports", {})
    assert missing.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_another_organisations_pack_and_a_bad_job_id_are_404(
    api_as, cast, lead, other_lead, person
):
    export = SubjectAccessExport.objects.create(
        organisation=cast.lead_charity, person=person, requested_by=lead.user
    )
    assert api_as(other_lead).get(f"{_exports(person)}/{export.pk}").status_code == 404
    api = api_as(lead)
    assert api.get(f"{_exports(person)}/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{_exports(person)}/{uuid.uuid4()}/download").status_code == 404
    assert api.get(f"{_exports(person)}/not-an-id").status_code == 404


def test_anonymous_is_401(api_as, person):
    assert api_as(None).post(_exports(person), {}).status_code == 401
