"""Every case service, as the lead charity's caseworker on the lead charity's case, and the same
call refused: another role (the analyst, the peer mentor), another organisation (probation works
with the person but the case is not its own), and a state the lifecycle does not allow. Each
refusal shares its success's setup, so it fails for the reason it names."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from resettle.access import policy
from resettle.audit.models import AuditEvent
from resettle.cases import services
from resettle.cases.models import Case, CaseEventKind, CaseState, CloseReason, Task, TaskKind
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.custody.tests.conftest import days
from resettle.people.models import WorkingRelationship

pytestmark = pytest.mark.django_db

# Who may not change the lead charity's case, and why: a role that does not manage cases, a
# peer mentor (who records contacts but does not run the case), another organisation.
OUTSIDERS = ["analyst", "mentor", "probation", "family"]


@pytest.fixture
def case(cast, person) -> Case:
    return services.case_open(
        actor=cast.caseworker, person=person, opened_on=days(-30), worker=cast.caseworker.user
    )


@pytest.fixture
def paused(cast, case) -> Case:
    return services.case_pause(actor=cast.caseworker, case=case, on=days(-1), reason="In hospital")


@pytest.fixture
def closed(cast, case) -> Case:
    return services.case_close(
        actor=cast.caseworker, case=case, closed_on=days(0), close_reason=CloseReason.GOALS_MET
    )


def _kinds(case: Case) -> list[str]:
    return list(case.events.order_by("created_at").values_list("kind", flat=True))


def _audited(case: Case, action: str) -> bool:
    return AuditEvent.objects.filter(
        object_type="case", object_id=str(case.pk), action=action
    ).exists()


# Update ----------------------------------------------------------------------------------------


def test_update_allocates_a_worker_and_sets_the_review(cast, case):
    updated = services.case_update(
        actor=cast.caseworker,
        case=case,
        data={"worker": cast.safeguarding.user, "next_review_on": days(14)},
    )
    assert updated.worker == cast.safeguarding.user and updated.next_review_on == days(14)
    assert updated.version == case.version + 1
    assert _kinds(updated)[-2:] == [CaseEventKind.ALLOCATED, CaseEventKind.REVIEWED]
    assert _audited(updated, "update")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_update_is_refused_to_anyone_but_the_cases_own_staff(cast, case, who):
    with pytest.raises(PermissionDenied):
        services.case_update(actor=getattr(cast, who), case=case, data={"next_review_on": days(14)})


def test_update_refuses_a_closed_case(cast, follow_up, closed):
    with pytest.raises(ApplicationError, match="Reopen it"):
        services.case_update(actor=cast.caseworker, case=closed, data={"next_review_on": days(7)})


def test_update_refuses_a_worker_from_another_organisation_and_a_past_review(cast, case):
    with pytest.raises(ValidationError) as refused:
        services.case_update(
            actor=cast.caseworker,
            case=case,
            data={"worker": cast.probation.user, "next_review_on": days(-1)},
        )
    assert set(refused.value.message_dict) == {"worker", "next_review_on"}


def test_update_refuses_fields_it_does_not_change(cast, case):
    with pytest.raises(ValidationError) as refused:
        services.case_update(actor=cast.caseworker, case=case, data={"state": CaseState.CLOSED})
    assert "state" in refused.value.message_dict


# Pause and resume ------------------------------------------------------------------------------


def test_pause_keeps_the_reason_and_records_the_event(cast, paused):
    assert paused.state == CaseState.PAUSED and paused.pause_reason == "In hospital"
    assert _kinds(paused)[-1] == CaseEventKind.PAUSED
    assert _audited(paused, "state_change")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_pause_is_refused_to_anyone_but_the_cases_own_staff(cast, case, who):
    with pytest.raises(PermissionDenied):
        services.case_pause(actor=getattr(cast, who), case=case, on=days(0), reason="Away")


def test_pause_refuses_a_paused_case(cast, paused):
    with pytest.raises(ApplicationError, match="Only an open case can be paused"):
        services.case_pause(actor=cast.caseworker, case=paused, on=days(0), reason="Again")


def test_pause_refuses_a_closed_case(cast, follow_up, closed):
    with pytest.raises(ApplicationError, match="Reopen it"):
        services.case_pause(actor=cast.caseworker, case=closed, on=days(0), reason="Away")


def test_pause_needs_a_reason_and_a_date_not_in_the_future(cast, case):
    with pytest.raises(ValidationError) as refused:
        services.case_pause(actor=cast.caseworker, case=case, on=days(1), reason=" ")
    assert set(refused.value.message_dict) == {"on", "reason"}
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_resume_opens_a_paused_case(cast, paused):
    resumed = services.case_resume(actor=cast.caseworker, case=paused, on=days(0))
    assert resumed.state == CaseState.OPEN and resumed.pause_reason == ""
    assert _kinds(resumed)[-1] == CaseEventKind.RESUMED


@pytest.mark.parametrize("who", OUTSIDERS)
def test_resume_is_refused_to_anyone_but_the_cases_own_staff(cast, paused, who):
    with pytest.raises(PermissionDenied):
        services.case_resume(actor=getattr(cast, who), case=paused, on=days(0))


def test_resume_refuses_an_open_case(cast, case):
    with pytest.raises(ApplicationError, match="Only a paused case can be resumed"):
        services.case_resume(actor=cast.caseworker, case=case, on=days(0))


# Close and reopen -------------------------------------------------------------------------------


def test_close_cancels_tasks_still_to_do_and_keeps_those_done(cast, case):
    done = services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(1), at=time(8), place="Gate"
    )
    services.task_complete(actor=cast.caseworker, task=done)
    to_do = services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(2), at=time(8), place="Gate"
    )
    closed = services.case_close(
        actor=cast.caseworker,
        case=case,
        closed_on=days(0),
        close_reason=CloseReason.MOVED_AWAY,
        note="Moved to Leeds",
    )
    assert closed.state == CaseState.CLOSED and closed.closed_on == days(0)
    assert closed.close_reason == CloseReason.MOVED_AWAY
    assert _kinds(closed)[-1] == CaseEventKind.CLOSED
    to_do.refresh_from_db()
    done.refresh_from_db()
    assert to_do.cancelled_at is not None and done.cancelled_at is None


def test_closing_ends_the_organisations_work_with_the_person(cast, closed):
    assert not WorkingRelationship.objects.filter(
        person=closed.person, organisation=cast.lead_charity, ended_on__isnull=True
    ).exists()
    assert not policy.can_view_person(cast.caseworker, closed.person)
    # Probation's own work with the person goes on.
    assert policy.can_view_person(cast.probation, closed.person)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_close_is_refused_to_anyone_but_the_cases_own_staff(cast, case, who):
    with pytest.raises(PermissionDenied):
        services.case_close(
            actor=getattr(cast, who), case=case, closed_on=days(0), close_reason="other"
        )


def test_close_refuses_a_closed_case(cast, follow_up, closed):
    with pytest.raises(ApplicationError, match="Reopen it"):
        services.case_close(
            actor=cast.caseworker, case=closed, closed_on=days(0), close_reason="other"
        )


def test_a_closed_case_is_no_longer_the_organisations_to_close_again(cast, closed):
    """Without a follow-up window the record closed to the lead charity with the case."""
    with pytest.raises(PermissionDenied):
        services.case_close(
            actor=cast.caseworker, case=closed, closed_on=days(0), close_reason="other"
        )


def test_close_needs_a_known_reason_and_a_date_after_it_opened(cast, case):
    with pytest.raises(ValidationError) as refused:
        services.case_close(
            actor=cast.caseworker, case=case, closed_on=days(-40), close_reason="bored"
        )
    assert set(refused.value.message_dict) == {"closed_on", "close_reason"}
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


@pytest.fixture
def follow_up(agreement):
    """The agreement keeps the person readable (identity and contact) for 30 days after the
    work ends, so the organisation can still reopen its case."""
    agreement.follow_up_days = 30
    agreement.save()
    return agreement


def test_reopen_opens_the_same_case_and_the_work_again(cast, follow_up, closed):
    reopened = services.case_reopen(actor=cast.caseworker, case=closed, on=days(0), note="Back")
    assert reopened.pk == closed.pk and reopened.state == CaseState.OPEN
    assert reopened.closed_on is None and reopened.close_reason == ""
    assert _kinds(reopened)[-2:] == [CaseEventKind.CLOSED, CaseEventKind.REOPENED]
    assert WorkingRelationship.objects.filter(
        person=closed.person, organisation=cast.lead_charity, ended_on__isnull=True
    ).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_reopen_is_refused_to_anyone_but_the_cases_own_staff(cast, follow_up, closed, who):
    with pytest.raises(PermissionDenied):
        services.case_reopen(actor=getattr(cast, who), case=closed, on=days(0))


def test_reopen_refuses_a_live_case(cast, case):
    with pytest.raises(ApplicationError, match="Only a closed case can be reopened"):
        services.case_reopen(actor=cast.caseworker, case=case, on=days(0))


def test_reopen_is_refused_once_the_record_has_closed_to_the_organisation(cast, closed):
    """Without a follow-up window, closing the case was the end of the lead charity's work:
    the case is no longer its to reopen (a new referral starts the work again)."""
    with pytest.raises(PermissionDenied):
        services.case_reopen(actor=cast.caseworker, case=closed, on=days(0))


def test_reopen_needs_a_date_on_or_after_the_close(cast, follow_up, closed):
    with pytest.raises(ValidationError) as refused:
        services.case_reopen(actor=cast.caseworker, case=closed, on=days(-1))
    assert set(refused.value.message_dict) == {"on"}


# Tasks ------------------------------------------------------------------------------------------


def test_a_gate_meeting_goes_to_the_mentor_and_is_audited(cast, person):
    case = services.case_open(
        actor=cast.caseworker,
        person=person,
        opened_on=days(-3),
        worker=cast.caseworker.user,
        mentor=None,
    )
    task = services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(3), at=time(9, 30), place="Gate of HMP Leeds"
    )
    assert task.kind == TaskKind.GATE_MEETING and task.assigned_to == cast.caseworker.user
    assert AuditEvent.objects.filter(object_type="task", object_id=str(task.pk)).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_planning_a_gate_meeting_is_refused_outside_the_case(cast, case, who):
    with pytest.raises(PermissionDenied):
        services.task_gate_meeting_plan(
            actor=getattr(cast, who), case=case, on=days(3), at=time(8), place="Gate"
        )


def test_planning_a_gate_meeting_refuses_a_closed_case_and_a_second_that_day(cast, follow_up, case):
    services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(3), at=time(8), place="Gate"
    )
    with pytest.raises(ApplicationError, match="already planned"):
        services.task_gate_meeting_plan(
            actor=cast.caseworker, case=case, on=days(3), at=time(10), place="Gate"
        )
    closed = services.case_close(
        actor=cast.caseworker, case=case, closed_on=days(0), close_reason="other"
    )
    with pytest.raises(ApplicationError, match="Reopen it"):
        services.task_gate_meeting_plan(
            actor=cast.caseworker, case=closed, on=days(4), at=time(8), place="Gate"
        )


def test_planning_a_gate_meeting_needs_a_date_within_the_year_and_a_place(cast, case):
    with pytest.raises(ValidationError) as refused:
        services.task_gate_meeting_plan(
            actor=cast.caseworker, case=case, on=days(400), at=time(8), place=" "
        )
    assert set(refused.value.message_dict) == {"on", "place"}


def test_completing_a_task_records_when(cast, case):
    task = services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(1), at=time(8), place="Gate"
    )
    done = services.task_complete(actor=cast.caseworker, task=task)
    assert done.completed_at is not None
    assert AuditEvent.objects.filter(
        object_type="task", object_id=str(task.pk), action="state_change"
    ).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_completing_a_task_is_refused_outside_the_case(cast, case, who):
    task = services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(1), at=time(8), place="Gate"
    )
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=getattr(cast, who), task=task)


def test_completing_a_task_twice_is_refused(cast, case):
    task = services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(1), at=time(8), place="Gate"
    )
    services.task_complete(actor=cast.caseworker, task=task)
    task.refresh_from_db()
    with pytest.raises(ApplicationError, match="already done"):
        services.task_complete(actor=cast.caseworker, task=task)
    assert Task.objects.filter(pk=task.pk, completed_at__isnull=False).count() == 1
