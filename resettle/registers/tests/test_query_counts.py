"""The register page and the sessions and enrolments lists read a fixed number of queries however
many people are on them (a few and twenty, the same count), suitability restrictions and the
audit of reading them included."""

import pytest
from django.urls import reverse

from resettle.registers.models import Attendance
from resettle.registers.tests.conftest import enrol, make_session
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.django_db


def test_the_register_reads_a_fixed_number_of_queries(
    count_queries, cast, client_as, make_person, service, today_session, agreement
):
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            person = make_person(
                cast.probation, cast.coordinator, given_name=f"Sam{n}", family_name="Count"
            )
            enrol(cast, person, service)
            record(cast.probation, person, sessions_with_under_18s_present="no")
            Attendance.objects.create(session=today_session, person=person, status="attended")

    client = client_as(cast.coordinator)
    url = reverse("registers:register", args=[today_session.pk])
    client.get(url)
    add(3, 0)
    with count_queries() as few:
        first = client.get(url)
    add(17, 3)
    with count_queries() as many:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert second.content.decode().count("No sessions with under-18s present") == 20
    assert len(many) == len(few)


def test_the_sessions_and_enrolments_lists_read_a_fixed_number_of_queries(
    count_queries, cast, api_as, client_as, make_person, service, agreement
):
    api = api_as(cast.coordinator)
    page = client_as(cast.coordinator)
    calls = [
        (api, "/api/v1/sessions"),
        (api, "/api/v1/enrolments"),
        (page, reverse("registers:session_list")),
    ]

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            make_session(service, days_from_now=n % 6)
            enrol(cast, make_person(cast.coordinator, given_name=f"Ana{n}"), service)

    def measure() -> list[int]:
        counts = []
        for who, url in calls:
            with count_queries() as queries:
                response = who.get(url)
            assert response.status_code == 200, url
            counts.append(len(queries))
        return counts

    measure()  # a token's first use is recorded once
    add(2, 0)
    few = measure()
    add(18, 2)
    assert measure() == few
