from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.access.categories import Category
from resettle.accounts.tests.factories import make_membership
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event, record_read

pytestmark = pytest.mark.django_db


def log_url(person) -> str:
    return reverse("audit:person_access_log", args=[person.pk])


@pytest.fixture
def person(cast, make_person):
    """Worked with by the lead charity (caseworker, safeguarding lead), probation, the
    mentoring charity (allocated to the mentor) and the football trust."""
    return make_person(cast.caseworker, cast.probation, cast.mentor, cast.coordinator)


@pytest.mark.parametrize("who", ["caseworker", "probation", "safeguarding"])
def test_those_answering_for_the_record_see_who_has_accessed_it(client_as, cast, person, who):
    record_read(actor=cast.coordinator, person=person, categories=[Category.RISK_SUITABILITY])

    response = client_as(getattr(cast, who)).get(log_url(person))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Who has accessed this record" in page
    assert "Northshire Town Community Trust" in page
    assert "Read: Risk and suitability" in page
    assert 'aria-current="page">Access log</a>' in page


def test_the_log_lists_every_organisation_newest_first(client_as, cast, person):
    record_read(actor=cast.probation, person=person, categories=[Category.OFFENCE])
    record_event(
        actor=cast.caseworker,
        action=AuditAction.UPDATE,
        object_type="person",
        person=person,
        category=Category.CONTACT,
    )

    events = client_as(cast.caseworker).get(log_url(person)).context["events"]

    assert [(e.organisation_name, e.action, e.object_type) for e in events] == [
        ("New Leaf Northshire", "read", "access_log"),
        ("New Leaf Northshire", "update", "person"),
        ("Northshire Probation Delivery Unit", "read", "person"),
    ]


def test_viewing_the_log_is_itself_recorded(client_as, cast, person):
    client_as(cast.caseworker).get(log_url(person), REMOTE_ADDR="192.0.2.9")

    event = AuditEvent.objects.get(object_type="access_log")
    assert (event.action, event.object_type, event.object_id) == (
        "read",
        "access_log",
        str(person.pk),
    )
    assert (event.person_id, event.username, event.ip) == (person.pk, "caseworker", "192.0.2.9")
    assert event.route == f"GET {log_url(person)}"


def test_break_glass_shows_its_reason(client_as, cast, person):
    record_event(
        actor=cast.safeguarding,
        action=AuditAction.BREAK_GLASS,
        object_type="person",
        person=person,
        category=Category.HEALTH,
        reason="Concern raised by the housing officer about an overdose",
    )

    page = client_as(cast.caseworker).get(log_url(person)).content.decode()

    assert "Break-glass</strong>" in page
    assert "Concern raised by the housing officer about an overdose" in page


def test_the_log_shows_only_events_about_this_person(client_as, cast, person, make_person):
    someone_else = make_person(cast.caseworker)
    record_read(actor=cast.caseworker, person=someone_else, categories=[Category.HEALTH])

    events = client_as(cast.caseworker).get(log_url(person)).context["events"]

    assert {e.person_id for e in events} == {person.pk}


def test_the_log_can_be_filtered_by_organisation(client_as, cast, person):
    record_read(actor=cast.probation, person=person, categories=[Category.OFFENCE])
    record_read(actor=cast.coordinator, person=person, categories=[Category.RISK_SUITABILITY])

    response = client_as(cast.caseworker).get(
        log_url(person), {"organisation": str(cast.probation_unit.pk)}
    )

    assert [e.organisation_name for e in response.context["events"]] == [
        "Northshire Probation Delivery Unit"
    ]
    assert f'<option value="{cast.probation_unit.pk}" selected>' in response.content.decode()


def test_an_organisation_not_in_the_log_is_an_error_not_a_leak(client_as, cast, person):
    response = client_as(cast.caseworker).get(
        log_url(person), {"organisation": str(cast.outside_organisation.pk)}
    )

    assert response.status_code == 200
    assert "Choose an organisation from the list" in response.content.decode()
    # Unfiltered, rather than empty, so the page still answers the question.
    assert len(response.context["events"]) == 1


def test_the_log_is_paged_fifty_at_a_time(client_as, cast, person):
    for _ in range(6):
        record_read(actor=cast.probation, person=person, categories=Category.values)

    first = client_as(cast.caseworker).get(log_url(person))
    second = client_as(cast.caseworker).get(log_url(person), {"page": 2})

    assert len(first.context["events"]) == 50
    reads = 6 * len(Category.values)
    assert first.context["page_obj"].paginator.count == reads + 1  # and the first view of it
    assert len(second.context["events"]) == reads + 2 - 50  # a second view of the log is one more


def test_the_page_costs_the_same_queries_however_many_events(
    client_as, cast, person, django_assert_max_num_queries
):
    signed_in = client_as(cast.caseworker)
    record_read(actor=cast.probation, person=person, categories=[Category.OFFENCE])
    with django_assert_max_num_queries(40) as few:
        signed_in.get(log_url(person))
    for _ in range(5):
        record_read(actor=cast.coordinator, person=person, categories=Category.values)
        record_read(actor=cast.mentor, person=person, categories=Category.values)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get(log_url(person))

    assert len(response.context["events"]) == 50


def test_the_access_log_link_shows_on_every_page_of_the_record(client_as, cast, person):
    signed_in = client_as(cast.caseworker)
    link = f'href="{log_url(person)}"'

    for url in (
        reverse("people:detail", args=[person.pk]),
        reverse("people:family", args=[person.pk]),
    ):
        assert link in signed_in.get(url).content.decode()


@pytest.mark.parametrize("who", ["mentor", "coordinator"])
def test_the_access_log_link_is_hidden_from_those_who_may_not_see_it(client_as, cast, person, who):
    page = client_as(getattr(cast, who)).get(reverse("people:detail", args=[person.pk]))

    assert page.status_code == 200
    assert log_url(person) not in page.content.decode()


# Refusals -----------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client, person):
    response = client.get(log_url(person))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["mentor", "coordinator"])
def test_partners_working_with_the_person_are_refused(client_as, cast, person, who):
    response = client_as(getattr(cast, who)).get(log_url(person))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(object_type="access_log").exists()


@pytest.mark.parametrize("who", ["housing", "outsider", "analyst", "manager", "admin"])
def test_the_person_is_not_found_for_those_who_may_not_see_them(client_as, cast, person, who):
    response = client_as(getattr(cast, who)).get(log_url(person))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(object_type="access_log").exists()


def test_a_mentor_not_allocated_the_person_does_not_find_them(client_as, cast, make_person):
    # The mentoring charity works with this person, but another mentor is allocated.
    colleague = make_membership(organisation=cast.mentoring_charity, role=cast.mentor.role)
    person = make_person(colleague)

    assert client_as(cast.mentor).get(log_url(person)).status_code == 404


def test_a_relationship_that_has_ended_no_longer_opens_the_log(client_as, cast, make_person):
    person = make_person(
        cast.caseworker, started_on=date.today() - timedelta(days=30), ended_on=date.today()
    )

    assert client_as(cast.caseworker).get(log_url(person)).status_code == 404


def test_a_malformed_id_is_not_found(client_as, cast):
    response = client_as(cast.caseworker).get("/people/not-a-uuid/access-log/")

    assert response.status_code == 404


def test_the_log_refuses_to_be_changed_by_post(client_as, cast, person):
    response = client_as(cast.caseworker).post(log_url(person))

    assert response.status_code == 405
