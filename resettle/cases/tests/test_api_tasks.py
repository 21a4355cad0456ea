"""Tasks and a case's history over the API: listed, filtered and read by whoever sees the case,
completed by the case's own staff with If-Match and Idempotency-Key as the other actions are;
refused to anonymous callers, to roles that do not work the case (403) and to organisations
that cannot see it (404)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from resettle.audit.models import AuditEvent
from resettle.cases import services
from resettle.cases.models import Case, Task, TaskKind
from resettle.custody.tests.conftest import days

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks"


@pytest.fixture
def case(cast, person) -> Case:
    return services.case_open(
        actor=cast.caseworker, person=person, opened_on=days(-30), worker=cast.caseworker.user
    )


def _mentored(cast, person, mentor=None) -> Case:
    return Case.objects.create(
        person=person, organisation=cast.mentoring_charity, mentor=mentor, opened_on=days(-10)
    )


@pytest.fixture
def gate(cast, case) -> Task:
    return services.task_gate_meeting_plan(
        actor=cast.caseworker, case=case, on=days(3), at=time(8), place="Gate of HMP Northshire"
    )


def _review(case: Case, *, due_in_days: int = 10, **fields) -> Task:
    return Task.objects.create(
        case=case,
        kind=TaskKind.REVIEW,
        title="Review the plan",
        due_at=timezone.now() + timedelta(days=due_in_days),
        **fields,
    )


def test_the_list_shows_the_cases_tasks_soonest_first(api_as, cast, case, gate):
    review = _review(case)

    response = api_as(cast.caseworker).get(TASKS)

    assert response.status_code == 200
    body = response.json()
    assert [t["id"] for t in body["results"]] == [str(gate.pk), str(review.pk)]
    first = body["results"][0]
    assert first["kind"] == "gate_meeting"
    assert first["state"] == "to_do"
    assert first["person"] == str(case.person_id)
    assert first["case"] == str(case.pk)
    assert first["assigned_to"] == cast.caseworker.user.pk
    assert first["place"] == "Gate of HMP Northshire"


def test_the_list_filters_by_person_case_state_kind_and_assignee(
    api_as, cast, case, gate, make_person
):
    review = _review(case)
    done = _review(case, due_in_days=20, completed_at=timezone.now())
    other = make_person(cast.caseworker, given_name="Other")
    elsewhere = services.case_open(actor=cast.caseworker, person=other, opened_on=days(-1))
    theirs = _review(elsewhere)
    client = api_as(cast.caseworker)

    def ids(**query) -> list[str]:
        response = client.get(TASKS, query)
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["results"]]

    assert ids(person=str(other.pk)) == [str(theirs.pk)]
    assert ids(case=str(case.pk)) == [str(gate.pk), str(review.pk), str(done.pk)]
    assert ids(case=str(case.pk), state="done") == [str(done.pk)]
    assert ids(case=str(case.pk), kind="gate_meeting") == [str(gate.pk)]
    assert ids(mine="true") == [str(gate.pk)]
    assert ids(due_before=(timezone.now() + timedelta(days=5)).isoformat()) == [str(gate.pk)]


def test_a_due_range_the_wrong_way_round_is_invalid(api_as, cast, case):
    now = timezone.now()
    response = api_as(cast.caseworker).get(
        TASKS, {"due_after": now.isoformat(), "due_before": (now - timedelta(days=1)).isoformat()}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "due_before"


def test_a_mentor_sees_and_completes_the_tasks_of_the_cases_they_mentor(
    api_as, cast, person, make_person
):
    mine = _review(_mentored(cast, person, cast.mentor.user), assigned_to=cast.mentor.user)
    not_mentored = make_person(cast.caseworker, given_name="Other")
    hidden = _review(_mentored(cast, not_mentored))
    client = api_as(cast.mentor)

    body = client.get(TASKS, {"case": str(mine.case_id)}).json()
    done = client.post(f"{TASKS}/{mine.pk}/complete", {})

    assert [t["id"] for t in body["results"]] == [str(mine.pk)]
    assert done.status_code == 200
    assert client.get(f"{TASKS}/{hidden.pk}").status_code == 404
    assert client.post(f"{TASKS}/{hidden.pk}/complete", {}).status_code == 404


@pytest.mark.parametrize("query", ["person", "case"])
def test_filtering_by_someone_the_caller_may_not_see_is_a_404(api_as, cast, case, gate, query):
    value = case.person_id if query == "person" else case.pk

    response = api_as(cast.outsider).get(TASKS, {query: str(value)})

    assert response.status_code == 404


def test_another_organisations_tasks_are_case_notes_and_their_read_is_audited(
    api_as, cast, case, gate
):
    response = api_as(cast.probation).get(f"{TASKS}/{gate.pk}")

    assert response.status_code == 200
    assert response["ETag"]
    assert AuditEvent.objects.filter(
        user_id=cast.probation.user.pk,
        person_id=case.person_id,
        category="case_notes",
        action="read",
    ).exists()


def test_the_detail_is_a_404_outside_the_case_and_401_anonymous(api_as, cast, gate):
    assert api_as(cast.outsider).get(f"{TASKS}/{gate.pk}").status_code == 404
    assert api_as(cast.analyst).get(f"{TASKS}/{gate.pk}").status_code == 404
    assert api_as(None).get(f"{TASKS}/{gate.pk}").status_code == 401


def test_completing_marks_it_done_and_is_audited(api_as, cast, gate):
    response = api_as(cast.caseworker).post(f"{TASKS}/{gate.pk}/complete", {})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "done"
    gate.refresh_from_db()
    assert gate.completed_at is not None
    assert AuditEvent.objects.filter(
        object_type="task", object_id=str(gate.pk), action="state_change"
    ).exists()


def test_completing_on_a_stale_version_is_a_409(api_as, cast, gate):
    client = api_as(cast.caseworker)
    etag = client.get(f"{TASKS}/{gate.pk}")["ETag"]
    Task.objects.get(pk=gate.pk).save()  # someone else's change since the client read it

    response = client.post(f"{TASKS}/{gate.pk}/complete", {}, headers={"If-Match": etag})
    fresh = client.get(f"{TASKS}/{gate.pk}")["ETag"]
    again = client.post(f"{TASKS}/{gate.pk}/complete", {}, headers={"If-Match": fresh})

    assert response.status_code == 409
    assert again.status_code == 200


def test_completing_twice_is_a_422_but_a_retry_with_its_key_acts_once(api_as, cast, gate):
    client = api_as(cast.caseworker)
    key = {"Idempotency-Key": "complete-gate-1"}

    first = client.post(f"{TASKS}/{gate.pk}/complete", {}, headers=key)
    retry = client.post(f"{TASKS}/{gate.pk}/complete", {}, headers=key)
    twice = client.post(f"{TASKS}/{gate.pk}/complete", {})

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry["Idempotent-Replayed"] == "true"
    assert twice.status_code == 422


def test_completing_is_refused_to_a_partner_who_only_reads_the_case(api_as, cast, gate):
    response = api_as(cast.probation).post(f"{TASKS}/{gate.pk}/complete", {})

    assert response.status_code == 403
    gate.refresh_from_db()
    assert gate.completed_at is None


def test_completing_is_a_404_outside_the_case_and_401_anonymous(api_as, cast, gate):
    assert api_as(cast.outsider).post(f"{TASKS}/{gate.pk}/complete", {}).status_code == 404
    assert api_as(None).post(f"{TASKS}/{gate.pk}/complete", {}).status_code == 401


def test_the_task_list_takes_the_same_queries_for_more_tasks(
    api_as, cast, case, django_assert_max_num_queries
):
    client = api_as(cast.probation)
    _review(case)
    client.get(TASKS)  # warm up: the token's first use
    for days_ahead in range(11, 30):
        _review(case, due_in_days=days_ahead)

    with django_assert_max_num_queries(12):
        assert client.get(TASKS).status_code == 200


# A case's history --------------------------------------------------------------------------------


def test_a_cases_events_come_oldest_first(api_as, cast, case):
    services.case_pause(actor=cast.caseworker, case=case, on=days(-2), reason="In hospital")
    services.case_resume(actor=cast.caseworker, case=case, on=days(-1))

    response = api_as(cast.caseworker).get(f"/api/v1/cases/{case.pk}/events")

    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["kind"] for e in events] == ["opened", "paused", "resumed"]
    assert events[1]["note"] == "In hospital"
    assert events[1]["by"] == cast.caseworker.user.pk


def test_a_partners_read_of_the_history_is_audited(api_as, cast, case):
    response = api_as(cast.probation).get(f"/api/v1/cases/{case.pk}/events")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        user_id=cast.probation.user.pk,
        person_id=case.person_id,
        category="case_notes",
        action="read",
    ).exists()


@pytest.mark.parametrize("who", ["outsider", "analyst", "family"])
def test_the_history_is_a_404_to_whoever_cannot_see_the_case(api_as, cast, case, who):
    response = api_as(getattr(cast, who)).get(f"/api/v1/cases/{case.pk}/events")

    assert response.status_code == 404


def test_the_history_needs_a_token(api_as, case):
    assert api_as(None).get(f"/api/v1/cases/{case.pk}/events").status_code == 401
