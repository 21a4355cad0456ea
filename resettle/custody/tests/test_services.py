"""Custody periods: recording, release and recall, with their effect on every organisation's
cases (pause on recall, resume with a gate meeting on release), and the checklist."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from resettle.audit.models import AuditEvent
from resettle.cases import services as case_services
from resettle.cases.models import Case, CaseEvent, CaseEventKind, CaseState, Task, TaskKind
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.custody import services
from resettle.custody.models import (
    ChecklistItem,
    ChecklistItemKind,
    ChecklistStatus,
    CustodyEventKind,
    CustodyKind,
    RecallReason,
    ReleaseType,
)
from resettle.custody.tests.conftest import days
from resettle.notifications.models import Notification
from resettle.people.models import WorkingRelationship

pytestmark = pytest.mark.django_db


def sentence(actor, person, start=-300, **extra):
    data = {
        "kind": CustodyKind.SENTENCE,
        "start_date": days(start),
        "establishment": "HMP Northshire",
        "expected_release_date": days(start + 200),
    } | extra
    return services.custody_period_record(actor=actor, person=person, data=data)


def release(actor, period, on=-100, **extra):
    kwargs = {
        "released_on": days(on),
        "release_type": ReleaseType.CONDITIONAL,
        "release_address": "4 Mill Lane, Millbrook",
    } | extra
    return services.custody_release(actor=actor, period=period, **kwargs)


def test_recording_a_period_starts_custody_with_a_checklist(cast, person):
    period = sentence(cast.probation, person)
    assert period.in_custody
    assert [e.kind for e in period.events.all()] == [CustodyEventKind.STARTED]
    assert period.checklist_items.count() == len(ChecklistItemKind.values)
    assert AuditEvent.objects.filter(object_id=str(period.pk), category="custody").exists()


def test_a_partner_without_the_recording_role_cannot_record_custody(cast, person):
    with pytest.raises(PermissionDenied):
        sentence(cast.mentor, person)


def test_periods_may_not_overlap(cast, person):
    first = sentence(cast.probation, person)
    with pytest.raises(ValidationError) as still_in:
        sentence(cast.probation, person, start=-10)
    assert "already in custody" in str(still_in.value)
    release(cast.probation, first, on=-100)
    with pytest.raises(ValidationError) as overlapping:
        sentence(cast.probation, person, start=-150, expected_release_date=days(10))
    assert "must be after" in str(overlapping.value)
    later = sentence(cast.probation, person, start=-20, expected_release_date=days(30))
    assert later.in_custody


def test_release_before_the_sentence_started_is_refused(cast, person):
    period = sentence(cast.probation, person, start=-30, expected_release_date=days(10))
    with pytest.raises(ValidationError) as error:
        release(cast.probation, period, on=-40)
    assert "on or after the start of custody" in str(error.value)


def test_release_needs_an_address_or_no_fixed_abode_not_both(cast, person):
    period = sentence(cast.probation, person)
    with pytest.raises(ValidationError):
        release(cast.probation, period, release_address="")
    with pytest.raises(ValidationError):
        release(cast.probation, period, no_fixed_abode=True)
    released = release(cast.probation, period, release_address="", no_fixed_abode=True)
    assert released.events.get(kind=CustodyEventKind.RELEASED).no_fixed_abode


def test_release_of_someone_not_in_custody_is_refused(cast, person):
    period = release(cast.probation, sentence(cast.probation, person))
    with pytest.raises(ApplicationError, match="not in custody"):
        release(cast.probation, period, on=-50)


def test_recall_of_someone_not_released_is_refused(cast, person):
    period = sentence(cast.probation, person)
    with pytest.raises(ApplicationError, match="has not been released"):
        services.custody_recall(
            actor=cast.probation,
            period=period,
            recalled_on=days(-1),
            recall_reason=RecallReason.OUT_OF_TOUCH,
        )


def test_recall_pauses_every_open_case_and_tells_workers_without_the_reason(cast, person):
    period = release(cast.probation, sentence(cast.probation, person))
    lead = case_services.case_open(
        actor=cast.caseworker, person=person, opened_on=days(-90), worker=cast.caseworker.user
    )
    mentoring = Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=days(-80),
    )
    recalled = services.custody_recall(
        actor=cast.probation,
        period=period,
        recalled_on=days(-5),
        recall_reason=RecallReason.FURTHER_OFFENCE,
    )
    assert recalled.in_custody
    lead.refresh_from_db()
    assert lead.state == CaseState.PAUSED
    assert CaseEvent.objects.filter(case=lead, kind=CaseEventKind.PAUSED).exists()
    notice = Notification.objects.get(recipient=cast.caseworker.user)
    assert "recalled" in notice.body
    assert "offence" not in (notice.subject + notice.body).lower()
    assert WorkingRelationship.objects.filter(
        person=person, organisation=cast.lead_charity, ended_on__isnull=True
    ).exists()
    mentoring.refresh_from_db()
    assert mentoring.state == CaseState.PAUSED
    assert Notification.objects.filter(recipient=cast.mentor.user).count() == 1


def test_further_release_resumes_the_case_with_a_gate_meeting_for_the_mentor(cast, person):
    period = release(cast.probation, sentence(cast.probation, person))
    case = case_services.case_open(
        actor=cast.caseworker, person=person, opened_on=days(-90), worker=cast.caseworker.user
    )
    # The mentoring charity's case, mentored by the demo mentor (opened directly: the cast has
    # no caseworker in the mentoring charity).
    mentored = Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=days(-80),
    )
    services.custody_recall(
        actor=cast.probation,
        period=period,
        recalled_on=days(-20),
        recall_reason=RecallReason.BREACH_OF_CONDITIONS,
    )
    services.custody_release(
        actor=cast.probation,
        period=period,
        released_on=days(0),
        release_type=ReleaseType.AUTOMATIC,
        release_address="Flat 2, 9 Station Road, Ashcombe",
        gate_meeting_time=time(9, 30),
    )
    case.refresh_from_db()
    mentored.refresh_from_db()
    assert case.state == CaseState.OPEN and mentored.state == CaseState.OPEN
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEventKind.OPENED, CaseEventKind.PAUSED, CaseEventKind.RESUMED]
    gate = Task.objects.get(case=mentored, kind=TaskKind.GATE_MEETING)
    assert gate.assigned_to == cast.mentor.user
    assert gate.place == "Gate of HMP Northshire"
    assert gate.due_at.hour == 9 and gate.due_at.minute == 30
    assert Task.objects.get(case=case).assigned_to == cast.caseworker.user
    period.refresh_from_db()
    assert [e.kind for e in period.events.all()] == [
        CustodyEventKind.STARTED,
        CustodyEventKind.RELEASED,
        CustodyEventKind.RECALLED,
        CustodyEventKind.RELEASED,
    ]


def test_release_before_the_recall_is_refused(cast, person):
    period = release(cast.probation, sentence(cast.probation, person))
    services.custody_recall(
        actor=cast.probation,
        period=period,
        recalled_on=days(-20),
        recall_reason=RecallReason.OTHER,
    )
    with pytest.raises(ValidationError, match="after the recall"):
        release(cast.probation, period, on=-30)
    # The same day as the recall could not be told apart from no recall at all.
    with pytest.raises(ValidationError, match="after the recall"):
        release(cast.probation, period, on=-20)


def test_a_recall_on_the_day_of_release_is_refused(cast, person):
    period = release(cast.probation, sentence(cast.probation, person), on=-5)
    with pytest.raises(ValidationError, match="after the release"):
        services.custody_recall(
            actor=cast.probation,
            period=period,
            recalled_on=days(-5),
            recall_reason=RecallReason.OTHER,
        )


def test_checklist_updates_keep_their_history(cast, person):
    period = sentence(cast.probation, person)
    item = ChecklistItem.objects.get(period=period, kind=ChecklistItemKind.BANK_ACCOUNT)
    services.checklist_item_update(
        actor=cast.probation, item=item, status=ChecklistStatus.IN_PROGRESS, note="Applied"
    )
    services.checklist_item_update(actor=cast.probation, item=item, status=ChecklistStatus.DONE)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.DONE
    assert [u.status for u in item.updates.all()] == ["in_progress", "done"]


def test_a_mentor_updates_the_checklist_only_on_a_case_they_mentor(cast, person):
    period = sentence(cast.probation, person)
    item = period.checklist_items.first()
    with pytest.raises(PermissionDenied):
        services.checklist_item_update(actor=cast.mentor, item=item, status=ChecklistStatus.DONE)
    Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=days(-10),
    )
    services.checklist_item_update(actor=cast.mentor, item=item, status=ChecklistStatus.DONE)
