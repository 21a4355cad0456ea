"""Custody and case pages: the recall and release journey through the forms, what each reader
sees, and refusals."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from resettle.cases.models import Case, CaseState, Task
from resettle.custody.models import CustodyPeriod, RecallReason
from resettle.custody.tests.conftest import days

pytestmark = pytest.mark.django_db


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def date_fields(name: str, value: date) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def test_record_release_and_recall_through_the_pages(cast, person, offence_agreement):
    probation = client_for(cast.probation)
    response = probation.post(
        reverse("custody:create", args=[person.pk]),
        {
            "kind": "sentence",
            "establishment": "HMP Northshire",
            **date_fields("start_date", days(-200)),
        },
    )
    assert response.status_code == 302
    period = CustodyPeriod.objects.get(person=person)
    case = Case.objects.create(
        person=person,
        organisation=cast.mentoring_charity,
        mentor=cast.mentor.user,
        opened_on=days(-30),
    )
    response = probation.post(
        reverse("custody:release", args=[person.pk, period.pk]),
        {
            **date_fields("released_on", days(-10)),
            "release_type": "conditional",
            "no_fixed_abode": "on",
            "gate_meeting_time": "08:30",
            "gate_meeting_place": "Visitors centre car park",
        },
    )
    assert response.status_code == 302
    assert Task.objects.get(case=case).place == "Visitors centre car park"
    response = probation.post(
        reverse("custody:recall", args=[person.pk, period.pk]),
        {**date_fields("recalled_on", days(-2)), "recall_reason": RecallReason.FURTHER_OFFENCE},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PAUSED
    page = probation.get(reverse("custody:person", args=[person.pk])).content.decode()
    assert "Charged with a further offence" in page
    # The mentor sees the recall on the timeline, never its reason.
    timeline = client_for(cast.mentor).get(reverse("custody:timeline", args=[person.pk]))
    body = timeline.content.decode()
    assert "Recalled to custody" in body and "further offence" not in body
    assert "Case paused" in body


def test_release_before_start_shows_the_error_on_the_form(cast, person):
    period = CustodyPeriod.objects.create(
        person=person,
        kind="sentence",
        start_date=days(-20),
        establishment="HMP Northshire",
        recorded_by=cast.probation.user,
    )
    response = client_for(cast.probation).post(
        reverse("custody:release", args=[person.pk, period.pk]),
        {
            **date_fields("released_on", days(-30)),
            "release_type": "conditional",
            "release_address": "1 Mill Lane",
        },
    )
    assert response.status_code == 200
    assert "on or after the start of custody" in response.content.decode()


def test_a_mentor_cannot_record_custody(cast, person):
    response = client_for(cast.mentor).get(reverse("custody:create", args=[person.pk]))
    assert response.status_code == 403


def test_editing_a_closed_case_asks_to_reopen_first(cast, person):
    case = Case.objects.create(
        person=person,
        organisation=cast.lead_charity,
        opened_on=days(-30),
        state=CaseState.CLOSED,
        closed_on=days(-1),
        close_reason="goals_met",
    )
    client = client_for(cast.caseworker)
    response = client.post(reverse("cases:edit", args=[case.pk]), {})
    assert response.status_code == 302
    response = client.post(
        reverse("cases:reopen", args=[case.pk]), {**date_fields("on", date.today())}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.OPEN
    assert list(case.events.values_list("kind", flat=True)) == ["reopened"]


def test_the_worklist_lists_people_due_out_in_twelve_weeks(cast, person):
    CustodyPeriod.objects.create(
        person=person,
        kind="sentence",
        start_date=days(-200),
        establishment="HMP Northshire",
        expected_release_date=days(20),
        recorded_by=cast.probation.user,
    )
    Case.objects.create(person=person, organisation=cast.lead_charity, opened_on=days(-30))
    client = client_for(cast.caseworker)
    body = client.get(reverse("custody:releases")).content.decode()
    assert person.full_name in body
    later = client.get(
        reverse("custody:releases"), {**date_fields("due_from", days(30))}
    ).content.decode()
    assert person.full_name not in later
    assert client_for(cast.manager).get(reverse("custody:releases")).status_code == 403
    assert (days(20) - date.today()) < timedelta(weeks=12)


def test_the_worklist_counts_and_filters_by_prison(cast, person, make_person):
    other = make_person(cast.probation, given_name="Omar", family_name="Haddad")
    for who, prison in ((person, "HMP Northshire"), (other, "HMP Eastmoor")):
        CustodyPeriod.objects.create(
            person=who,
            kind="sentence",
            start_date=days(-200),
            establishment=prison,
            expected_release_date=days(20),
            recorded_by=cast.probation.user,
        )
        Case.objects.create(
            person=who, organisation=cast.probation.organisation, opened_on=days(-9)
        )
    client = client_for(cast.probation)

    everyone = client.get(reverse("custody:releases")).content.decode()
    assert "2 people due for release" in everyone
    assert "HMP Eastmoor" in everyone and "HMP Northshire" in everyone
    one = client.get(reverse("custody:releases"), {"establishment": "HMP Eastmoor"})
    body = one.content.decode()
    assert "1 person due for release" in body
    assert other.full_name in body and person.full_name not in body
    later = client.get(reverse("custody:releases"), {**date_fields("due_from", days(30))})
    assert other.full_name not in later.content.decode()
