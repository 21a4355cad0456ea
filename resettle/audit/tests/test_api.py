import pytest

from resettle.access.categories import Category
from resettle.accounts.tests.factories import make_membership
from resettle.api.tests.conftest import assert_problem
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import record_event, record_read

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit-events"


@pytest.fixture
def person(cast, make_person):
    return make_person(cast.caseworker, cast.probation, cast.mentor, cast.coordinator)


def test_a_caseworker_lists_who_has_accessed_a_record(api_as, cast, person):
    record_read(actor=cast.coordinator, person=person, categories=[Category.RISK_SUITABILITY])

    response = api_as(cast.caseworker).get(EVENTS, {"person": str(person.pk)})

    assert response.status_code == 200
    body = response.json()
    # Newest first: the read of the log itself, then the coordinator's read.
    assert body["count"] == 2
    assert [(e["object_type"], e["organisation_name"]) for e in body["results"]] == [
        ("access_log", "New Leaf Northshire"),
        ("person", "Northshire Town Community Trust"),
    ]
    event = body["results"][1]
    assert {"id", "at", "username", "action", "category", "person_id", "hash"} <= event.keys()
    assert (event["action"], event["category"]) == ("read", "risk_suitability")
    assert "ip" not in event and "user_agent" not in event


def test_reading_the_log_through_the_api_is_recorded(api_as, cast, person):
    api_as(cast.caseworker).get(EVENTS, {"person": str(person.pk)})

    event = AuditEvent.objects.get(object_type="access_log")
    assert (event.person_id, event.username, event.route) == (
        person.pk,
        "caseworker",
        f"GET {EVENTS}",
    )


def test_changes_show_only_in_categories_the_reader_may_read(api_as, cast, person):
    # Identity is readable by every organisation working with the person; offence is not
    # readable by the lead charity without an agreement.
    for category in (Category.IDENTITY, Category.OFFENCE):
        record_event(
            actor=cast.probation,
            action=AuditAction.UPDATE,
            object_type="person",
            person=person,
            category=category,
            changes={"field": ["old", "new"]},
        )

    results = api_as(cast.caseworker).get(EVENTS, {"person": str(person.pk)}).json()["results"]

    changes = {e["category"]: e["changes"] for e in results if e["action"] == "update"}
    assert changes == {"identity": {"field": ["old", "new"]}, "offence": None}


def test_the_list_is_paged(api_as, cast, person):
    record_read(actor=cast.probation, person=person, categories=Category.values)

    body = api_as(cast.caseworker).get(EVENTS, {"person": str(person.pk), "page_size": 4}).json()

    assert body["count"] == len(Category.values) + 1  # and the caseworker's look at the log
    assert len(body["results"]) == 4
    assert "page=2" in body["next"]


def test_an_organisation_admin_lists_their_own_organisations_events(api_as, cast, person):
    record_read(actor=cast.caseworker, person=person, categories=[Category.HEALTH])
    record_read(actor=cast.probation, person=person, categories=[Category.OFFENCE])

    body = api_as(cast.admin).get(EVENTS).json()

    assert {e["organisation_name"] for e in body["results"]} == {"New Leaf Northshire"}
    health = next(e for e in body["results"] if e["category"] == "health")
    # The admin does not work with the person, so sees that a read happened, not its details.
    assert (health["username"], health["reason"], health["changes"]) == ("caseworker", None, None)


def test_the_query_count_is_the_same_for_more_events(
    api_as, cast, person, django_assert_max_num_queries
):
    client = api_as(cast.caseworker)
    with django_assert_max_num_queries(40) as few:
        client.get(EVENTS, {"person": str(person.pk)})
    for _ in range(3):
        record_read(actor=cast.probation, person=person, categories=Category.values)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(EVENTS, {"person": str(person.pk)})

    assert len(response.json()["results"]) == 20


# Refusals -----------------------------------------------------------------------------------


def test_no_token_is_refused(api_as, person):
    assert_problem(api_as(None).get(EVENTS, {"person": str(person.pk)}), 401)


@pytest.mark.parametrize("who", ["mentor", "coordinator"])
def test_partners_working_with_the_person_are_refused(api_as, cast, person, who):
    assert_problem(api_as(getattr(cast, who)).get(EVENTS, {"person": str(person.pk)}), 403)
    assert not AuditEvent.objects.filter(object_type="access_log").exists()


@pytest.mark.parametrize("who", ["housing", "outsider", "analyst", "manager", "admin"])
def test_the_person_is_not_found_for_those_who_may_not_see_them(api_as, cast, person, who):
    assert_problem(api_as(getattr(cast, who)).get(EVENTS, {"person": str(person.pk)}), 404)
    assert not AuditEvent.objects.filter(object_type="access_log").exists()


def test_a_mentor_not_allocated_the_person_does_not_find_them(api_as, cast, make_person):
    colleague = make_membership(organisation=cast.mentoring_charity, role=cast.mentor.role)
    person = make_person(colleague)

    assert_problem(api_as(cast.mentor).get(EVENTS, {"person": str(person.pk)}), 404)


@pytest.mark.parametrize("who", ["caseworker", "analyst", "mentor"])
def test_without_a_person_only_organisation_admins_may_list(api_as, cast, who):
    assert_problem(api_as(getattr(cast, who)).get(EVENTS), 403)


def test_a_malformed_person_id_is_invalid(api_as, cast):
    body = assert_problem(api_as(cast.caseworker).get(EVENTS, {"person": "not-a-uuid"}), 400)

    assert body["errors"][0]["field"] == "person"


def test_the_trail_cannot_be_written_through_the_api(api_as, cast):
    response = api_as(cast.admin).post(EVENTS, {"action": "read"})

    assert_problem(response, 405)
