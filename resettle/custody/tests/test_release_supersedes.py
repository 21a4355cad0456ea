"""Data that stays true after a release or recall: the custody card shows the release that
happened, not the date it was expected; a release moves the gate meeting planned for the
expected date to the day of release (never a second "To do" beside it) and a recall cancels
every gate meeting still to do, each change in the audit trail."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from resettle.audit.models import AuditEvent
from resettle.cases import services as case_services
from resettle.cases.models import Case, CaseState, Task, TaskKind, TaskState
from resettle.custody import services
from resettle.custody.models import CustodyPeriod
from resettle.custody.tests.conftest import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(cast, person) -> CustodyPeriod:
    return services.custody_period_record(
        actor=cast.probation,
        person=person,
        data={
            "kind": "sentence",
            "start_date": days(-200),
            "establishment": "HMP Northshire",
            "expected_release_date": days(5),
        },
    )


@pytest.fixture
def case(cast, person) -> Case:
    return Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=days(-30),
    )


def _card(cast, person) -> str:
    client = Client()
    client.force_login(cast.probation.user)
    return client.get(reverse("custody:person", args=[person.pk])).content.decode()


def _release(cast, period: CustodyPeriod, on=None) -> CustodyPeriod:
    return services.custody_release(
        actor=cast.probation,
        period=period,
        released_on=on or days(0),
        release_type="conditional",
        release_address="1 High Street",
    )


def _gate_meetings(case: Case) -> list[Task]:
    return list(Task.objects.filter(case=case, kind=TaskKind.GATE_MEETING).order_by("due_at"))


def test_the_card_shows_the_release_not_the_stale_expected_date(cast, person, period):
    before = _card(cast, person)
    _release(cast, period, days(-1))
    after = _card(cast, person)

    expected = f"{days(5):%-d %B %Y}"
    released = f"{days(-1):%-d %B %Y}"
    assert "Expected release" in before and expected in before
    assert "Expected release" not in after and expected not in after
    assert "Released" in after and released in after
    assert "conditional release (on licence)" in after


def test_after_a_recall_the_card_drops_the_expected_date_the_recall_overtook(cast, person, period):
    CustodyPeriod.objects.filter(pk=period.pk).update(expected_release_date=days(-20))
    period.refresh_from_db()
    released = _release(cast, period, days(-20))
    services.custody_recall(
        actor=cast.probation, period=released, recalled_on=days(-3), recall_reason="out_of_touch"
    )

    card = _card(cast, person)

    assert "Recalled" in card and f"{days(-3):%-d %B %Y}" in card
    assert "Not recorded" in card  # no new expected date yet
    released.refresh_from_db()
    assert released.expected_release_still_due is None


def test_a_release_moves_the_gate_meeting_planned_for_the_expected_date(cast, person, period, case):
    planned = case_services.task_gate_meeting_plan(
        actor=cast.mentor, case=case, on=days(5), at=time(8), place="Gate of HMP Northshire"
    )

    _release(cast, period, days(0))

    meetings = _gate_meetings(case)
    assert [m.pk for m in meetings] == [planned.pk]
    assert timezone.localtime(meetings[0].due_at).date() == days(0)
    assert meetings[0].state == TaskState.TO_DO
    assert AuditEvent.objects.filter(
        object_type="task", object_id=str(planned.pk), action="update"
    ).exists()


def test_a_release_leaves_one_gate_meeting_to_do_and_cancels_the_others(cast, person, period, case):
    for offset in (3, 5):
        case_services.task_gate_meeting_plan(
            actor=cast.mentor, case=case, on=days(offset), at=time(8), place="Gate"
        )

    _release(cast, period, days(0))

    states = [(timezone.localtime(m.due_at).date(), m.state) for m in _gate_meetings(case)]
    assert sorted(states) == [(days(0), TaskState.TO_DO), (days(5), TaskState.CANCELLED)]


def test_a_release_on_the_planned_day_keeps_the_meeting_as_planned(cast, person, period, case):
    planned = case_services.task_gate_meeting_plan(
        actor=cast.mentor, case=case, on=days(0), at=time(9, 30), place="Visitors centre"
    )

    _release(cast, period, days(0))

    meetings = _gate_meetings(case)
    assert [(m.pk, m.place) for m in meetings] == [(planned.pk, "Visitors centre")]
    assert not AuditEvent.objects.filter(object_id=str(planned.pk), action="update").exists()


def test_a_recall_cancels_every_gate_meeting_still_to_do(cast, person, period, case):
    released = _release(cast, period, days(-10))
    stale = Task.objects.create(
        case=case,
        kind=TaskKind.GATE_MEETING,
        title="Meet them at the gate",
        due_at=timezone.now() - timedelta(days=12),
    )
    paused = case_services.case_open(actor=cast.caseworker, person=person, opened_on=days(-30))
    case_services.case_pause(actor=cast.caseworker, case=paused, on=days(-5), reason="Away")
    on_paused = Task.objects.create(
        case=paused,
        kind=TaskKind.GATE_MEETING,
        title="Meet them at the gate",
        due_at=timezone.now() + timedelta(days=2),
    )

    services.custody_recall(
        actor=cast.probation, period=released, recalled_on=days(-1), recall_reason="out_of_touch"
    )

    for task in (stale, on_paused):
        task.refresh_from_db()
        assert task.state == TaskState.CANCELLED
    case.refresh_from_db()
    assert case.state == CaseState.PAUSED
    assert AuditEvent.objects.filter(
        object_type="task", object_id=str(stale.pk), action="state_change"
    ).exists()
