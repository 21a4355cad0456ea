"""The data-protection pages: finding a person, the subject access request with its
confirmation step, the pack's progress and download, and a person's corrections."""

import uuid

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditAction, AuditEvent
from resettle.dataprotection import services
from resettle.dataprotection.models import SubjectAccessExport, SubjectAccessState

pytestmark = pytest.mark.django_db


def _request_url(person) -> str:
    return reverse("dataprotection:person", args=[person.pk])


def _detail_url(export) -> str:
    return reverse("dataprotection:export_detail", args=[export.person_id, export.pk])


def _download_url(export) -> str:
    return reverse("dataprotection:export_download", args=[export.person_id, export.pk])


@pytest.fixture
def made(lead, person, django_capture_on_commit_callbacks) -> SubjectAccessExport:
    with django_capture_on_commit_callbacks(execute=True):
        export = services.subject_access_export_request(actor=lead, person=person)
    export.refresh_from_db()
    return export


# Finding someone --------------------------------------------------------------------------------


def test_the_lead_finds_someone_their_organisation_holds_records_about(
    cast, client_as, lead, person, make_person
):
    make_person(cast.probation, given_name="Sam", family_name="Elsewhere")
    client = client_as(lead)
    page = client.get(reverse("dataprotection:index"), {"query": "sam"})
    assert page.status_code == 200
    assert page.context["found"] == [person]
    assert _request_url(person) in page.content.decode()
    assert "Sam Elsewhere" not in page.content.decode()
    # The service navigation offers the page to leads.
    assert 'href="/data-protection/"' in page.content.decode()


def test_the_data_protection_page_is_refused_to_everyone_else(client_as, cast):
    page = client_as(cast.caseworker).get(reverse("dataprotection:index"))
    assert page.status_code == 403
    assert 'href="/data-protection/"' not in client_as(cast.caseworker).get("/").content.decode()


# Asking for a pack ------------------------------------------------------------------------------


def test_the_request_page_says_what_the_pack_holds_and_needs_confirming(client_as, lead, person):
    client = client_as(lead)
    page = client.get(_request_url(person))
    assert page.status_code == 200
    text = page.content.decode()
    assert "answerable for as a data controller" in text
    assert "deleted 30 days after it is made" in text
    refused = client.post(_request_url(person), {})
    assert refused.status_code == 200
    assert "Confirm that you have checked who is asking" in refused.content.decode()
    assert not SubjectAccessExport.objects.exists()


def test_the_lead_asks_follows_and_downloads_the_pack(
    client_as, lead, person, django_capture_on_commit_callbacks
):
    client = client_as(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_request_url(person), {"identity_checked": "on"})
    export = SubjectAccessExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail_url(export)
    status = client.get(_detail_url(export))
    assert status.status_code == 200
    text = status.content.decode()
    assert _download_url(export) in text
    assert "will be deleted on" in text
    download = client.get(_download_url(export))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download.content.startswith(b"PK")
    assert AuditEvent.objects.filter(reason__startswith="Downloaded").count() == 1


def test_a_pack_in_progress_polls_and_works_without_javascript(client_as, lead, person):
    export = services.subject_access_export_request(actor=lead, person=person)
    text = client_as(lead).get(_detail_url(export)).content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert "Refresh" in text
    assert client_as(lead).get(_download_url(export))["Location"] == _detail_url(export)


def test_a_deleted_pack_says_so_and_is_not_downloaded(client_as, lead, made):
    SubjectAccessExport.objects.filter(pk=made.pk).update(
        state=SubjectAccessState.DELETED, content=b""
    )
    client = client_as(lead)
    assert "can no longer be downloaded" in client.get(_detail_url(made)).content.decode()
    assert client.get(_download_url(made)).status_code == 302


@pytest.mark.parametrize("page", ["request", "detail", "download"])
def test_someone_who_sees_the_person_but_is_not_the_lead_is_refused_and_audited(
    client_as, cast, person, made, page
):
    url = {"request": _request_url(person), "detail": _detail_url(made)}.get(
        page, _download_url(made)
    )
    response = client_as(cast.caseworker).get(url)
    assert response.status_code == 403
    refusal = AuditEvent.objects.get(reason__startswith="Refused:")
    assert refusal.person_id == person.pk
    assert refusal.username == "caseworker"


def test_the_request_cannot_be_posted_by_someone_who_is_not_the_lead(client_as, cast, person):
    response = client_as(cast.caseworker).post(_request_url(person), {"identity_checked": "on"})
    assert response.status_code == 403
    assert not SubjectAccessExport.objects.exists()


@pytest.mark.parametrize("page", ["request", "detail", "download"])
def test_another_organisations_lead_gets_the_same_404_as_for_no_one(
    client_as, cast, other_lead, made, make_person, page
):
    # The housing provider holds records about Sam too, but not the lead charity's pack.
    client = client_as(other_lead)
    if page == "request":
        stranger = make_person(cast.probation)
        assert client.get(_request_url(stranger)).status_code == 404
        nobody = reverse("dataprotection:person", args=[uuid.uuid4()])
        assert client.get(nobody).status_code == 404
        return
    url = _detail_url(made) if page == "detail" else _download_url(made)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("job", [uuid.uuid4(), "not-a-uuid"])
def test_a_bad_job_id_is_a_404(client_as, lead, person, job):
    if job == "not-a-uuid":
        url = f"/people/{person.pk}/subject-access/not-a-uuid/"
    else:
        url = reverse("dataprotection:export_detail", args=[person.pk, job])
    assert client_as(lead).get(url).status_code == 404


def test_a_job_of_another_person_is_a_404(client_as, cast, lead, made, make_person):
    other = make_person(cast.caseworker)
    url = reverse("dataprotection:export_detail", args=[other.pk, made.pk])
    assert client_as(lead).get(url).status_code == 404


def test_the_persons_record_links_to_the_request_for_a_lead_in_a_case_level_role(
    client_as, cast, person
):
    cast.caseworker.is_data_protection_lead = True
    cast.caseworker.save()
    page = client_as(cast.caseworker).get(reverse("people:detail", args=[person.pk]))
    assert _request_url(person) in page.content.decode()
    cast.caseworker.is_data_protection_lead = False
    cast.caseworker.save()
    page = client_as(cast.caseworker).get(reverse("people:detail", args=[person.pk]))
    assert _request_url(person) not in page.content.decode()


# Corrections ------------------------------------------------------------------------------------


def _correct(client, person, **changes):
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "sex": "not_recorded",
        "gender_identity": "not_recorded",
        "pronouns": "not_recorded",
        "ethnicity": "not_recorded",
        "disability": "not_recorded",
        "reason": "",
    } | changes
    return client.post(reverse("dataprotection:person_correct", args=[person.pk]), data)


def test_a_correction_shows_old_and_new_who_when_and_why(client_as, cast, person):
    client = client_as(cast.caseworker)
    form = client.get(reverse("dataprotection:person_correct", args=[person.pk]))
    assert form.status_code == 200
    response = _correct(client, person, given_name="Samuel", reason="Their name was shortened")
    corrections_url = reverse("dataprotection:person_corrections", args=[person.pk])
    assert response.status_code == 302
    assert response["Location"] == corrections_url
    page = client_as(cast.housing).get(corrections_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Their name was shortened" in text
    assert "Sam" in text and "Samuel" in text
    assert cast.caseworker.user.get_full_name() in text
    read = AuditEvent.objects.filter(action=AuditAction.READ, username="housing").last()
    assert read is not None and read.category == Category.IDENTITY


def test_a_correction_without_a_reason_changes_nothing(client_as, cast, person):
    response = _correct(client_as(cast.caseworker), person, given_name="Samuel")
    assert response.status_code == 200
    assert "Say why the record is being corrected" in response.content.decode()
    person.refresh_from_db()
    assert person.given_name == "Sam"


def test_corrections_hide_the_fields_of_categories_the_viewer_may_not_see(
    client_as, cast, person, share
):
    share(categories=[Category.CONTACT], kinds=[OrganisationKind.HOUSING])
    _correct(
        client_as(cast.housing),
        person,
        phone="07700900999",
        email="",
        reason="New phone",
    )
    url = reverse("dataprotection:person_corrections", args=[person.pk])
    housing = client_as(cast.housing).get(url).content.decode()
    assert "07700900999" in housing
    lead_charity = client_as(cast.caseworker).get(url).content.decode()
    assert "07700900999" not in lead_charity
    assert "07700900123" not in lead_charity
    assert "No personal details have been changed" in lead_charity


def test_corrections_are_a_404_for_someone_who_may_not_see_the_person(client_as, cast, person):
    url = reverse("dataprotection:person_corrections", args=[person.pk])
    assert client_as(cast.probation).get(url).status_code == 404
    assert client_as(cast.admin).get(url).status_code == 404
