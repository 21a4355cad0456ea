"""Asking for a subject access pack, building it in the task worker, downloading it, deleting it
after 30 days, and correcting a person's record with a reason: who may, and what is audited."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettle.access import policy
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership
from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.dataprotection import services
from resettle.dataprotection.models import KEPT_FOR, SubjectAccessExport, SubjectAccessState
from resettle.dataprotection.tests.conftest import OWN_NOTE

pytestmark = pytest.mark.django_db


def _made(lead, person, capture) -> SubjectAccessExport:
    with capture(execute=True):
        export = services.subject_access_export_request(actor=lead, person=person)
    export.refresh_from_db()
    return export


# Who may ----------------------------------------------------------------------------------------


def test_the_lead_may_ask_about_anyone_their_organisation_works_or_worked_with(
    cast, lead, person, make_person
):
    assert policy.can_make_subject_access_export(lead, person)
    ended = make_person(
        cast.caseworker,
        started_on=date.today() - timedelta(days=400),
        ended_on=date.today() - timedelta(days=300),
    )
    assert policy.can_make_subject_access_export(lead, ended)
    stranger = make_person(cast.probation)
    assert not policy.can_make_subject_access_export(lead, stranger)
    assert set(policy.people_held_by(lead)) == {person, ended}


@pytest.mark.parametrize("who", ["caseworker", "safeguarding", "admin", "housing", "manager"])
def test_nobody_but_a_data_protection_lead_may_ask(cast, person, who):
    assert not policy.can_make_subject_access_export(getattr(cast, who), person)
    assert not policy.people_held_by(getattr(cast, who)).exists()


def test_a_lead_whose_membership_ended_may_not_ask(lead, person):
    lead.ended_on = date.today()
    lead.save()
    assert not policy.can_make_subject_access_export(lead, person)


def test_a_refusal_is_audited_in_the_persons_trail_and_nothing_is_made(cast, person):
    with pytest.raises(PermissionDenied):
        services.subject_access_export_request(actor=cast.caseworker, person=person)
    refusal = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert refusal.person_id == person.pk
    assert refusal.reason.startswith("Refused:")
    assert refusal.username == "caseworker"
    assert not SubjectAccessExport.objects.exists()


def test_another_organisations_lead_is_refused_for_someone_it_does_not_hold(
    cast, other_lead, make_person
):
    theirs_not = make_person(cast.caseworker)
    with pytest.raises(PermissionDenied):
        services.subject_access_export_request(actor=other_lead, person=theirs_not)
    assert not SubjectAccessExport.objects.exists()


# The success path -------------------------------------------------------------------------------


def test_the_pack_is_built_by_the_task_worker_and_the_request_and_download_are_audited(
    lead, person, django_capture_on_commit_callbacks
):
    export = _made(lead, person, django_capture_on_commit_callbacks)
    assert export.state == SubjectAccessState.DONE
    assert export.progress == 100
    assert export.file_name.startswith("subject-access-sam-okafor-")
    assert export.expires_at == export.finished_at + KEPT_FOR
    content = zipfile.ZipFile(io.BytesIO(bytes(export.content)))
    data = json.loads(content.read("person.json"))
    contacts = data["categories"]["case_notes"]["sections"]["contacts"]["records"]
    assert [c["fields"]["note"] for c in contacts] == [OWN_NOTE]
    asked = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(export.pk))
    assert asked.person_id == person.pk
    assert asked.reason == "Subject access pack asked for"

    download = services.subject_access_export_download(actor=lead, export=export)
    assert download.content == bytes(export.content)
    assert download.content_type == "application/zip"
    downloaded = AuditEvent.objects.get(reason__startswith="Downloaded")
    assert downloaded.person_id == person.pk
    assert downloaded.username == lead.user.username


def test_the_pack_holds_the_request_in_its_own_access_log(
    lead, person, django_capture_on_commit_callbacks
):
    export = _made(lead, person, django_capture_on_commit_callbacks)
    data = json.loads(
        zipfile.ZipFile(io.BytesIO(bytes(export.content))).read("person.json").decode()
    )
    entries = data["categories"]["access_log"]["entries"]
    assert [e["reason"] for e in entries] == ["Subject access pack asked for"]


def test_a_pack_asked_for_by_a_lead_who_has_since_stepped_down_fails(lead, person):
    export = services.subject_access_export_request(actor=lead, person=person)
    lead.is_data_protection_lead = False
    lead.save()
    built = services.subject_access_export_build(export_id=export.pk)
    assert built.state == SubjectAccessState.FAILED
    assert built.error == services.LEFT
    assert bytes(built.content) == b""


def test_a_build_that_breaks_fails_rather_than_running_for_ever(lead, person, monkeypatch):
    export = services.subject_access_export_request(actor=lead, person=person)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services.pack, "build", broken)
    built = services.subject_access_export_build(export_id=export.pk)
    assert built.state == SubjectAccessState.FAILED
    assert built.error == services.FAILED


def test_a_colleague_lead_may_pick_up_the_pack_a_non_lead_may_not_download_it(
    cast, lead, person, django_capture_on_commit_callbacks
):
    export = _made(lead, person, django_capture_on_commit_callbacks)
    colleague = make_membership(
        organisation=cast.lead_charity, role=Role.CASEWORKER, is_data_protection_lead=True
    )
    assert policy.get_subject_access_export_for_actor(colleague, person, export.pk) == export
    with pytest.raises(PermissionDenied):
        services.subject_access_export_download(actor=cast.caseworker, export=export)
    assert AuditEvent.objects.filter(reason__startswith="Refused:").count() == 1


def test_a_pack_is_not_downloaded_before_it_is_ready(lead, person):
    export = services.subject_access_export_request(actor=lead, person=person)
    with pytest.raises(ApplicationError, match="not ready"):
        services.subject_access_export_download(actor=lead, export=export)


# Thirty days ------------------------------------------------------------------------------------


def test_after_30_days_the_content_is_deleted_and_the_download_refused(
    lead, person, django_capture_on_commit_callbacks, time_machine
):
    export = _made(lead, person, django_capture_on_commit_callbacks)
    time_machine.move_to(timezone.now() + KEPT_FOR + timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="deleted 30 days after"):
        services.subject_access_export_download(actor=lead, export=export)
    export.refresh_from_db()
    assert export.state == SubjectAccessState.DELETED
    assert bytes(export.content) == b""
    assert export.deleted_at is not None
    assert not AuditEvent.objects.filter(reason__startswith="Downloaded").exists()


def test_the_sweep_deletes_only_packs_past_their_30_days(
    lead, person, django_capture_on_commit_callbacks
):
    old = _made(lead, person, django_capture_on_commit_callbacks)
    new = _made(lead, person, django_capture_on_commit_callbacks)
    SubjectAccessExport.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    assert services.delete_expired_subject_access_exports() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == SubjectAccessState.DELETED
    assert new.state == SubjectAccessState.DONE and bytes(new.content)


# Corrections ------------------------------------------------------------------------------------


def test_a_correction_keeps_old_and_new_who_when_and_why(cast, person):
    services.person_correct(
        actor=cast.caseworker,
        person=person,
        data={"given_name": "Samuel"},
        reason="The person told us their name was shortened",
    )
    person.refresh_from_db()
    assert person.given_name == "Samuel"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, person_id=person.pk)
    assert event.changes == {"given_name": ["Sam", "Samuel"]}
    assert event.reason == "The person told us their name was shortened"
    assert event.username == "caseworker"


@pytest.mark.parametrize(
    ("data", "reason", "error"),
    [
        ({"given_name": "Samuel"}, "  ", services.NO_REASON),
        ({"given_name": "Sam"}, "No change", services.NOTHING_CHANGED),
        ({"given_name": ""}, "Blank it", "given_name"),
    ],
)
def test_a_bad_correction_changes_nothing(cast, person, data, reason, error):
    with pytest.raises(ValidationError) as raised:
        services.person_correct(actor=cast.caseworker, person=person, data=data, reason=reason)
    assert error in str(raised.value)
    person.refresh_from_db()
    assert person.given_name == "Sam"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_only_those_who_may_change_the_record_correct_it(cast, person):
    with pytest.raises(PermissionDenied):
        services.person_correct(
            actor=cast.admin, person=person, data={"given_name": "X"}, reason="Because"
        )
    person.refresh_from_db()
    assert person.given_name == "Sam"
