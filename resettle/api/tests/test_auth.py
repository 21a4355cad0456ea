from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.accounts.tests.factories import make_membership, make_user
from resettle.api.models import ApiToken
from resettle.api.services import api_token_create, api_token_revoke
from resettle.api.tests.conftest import add_person, assert_problem
from resettle.audit.models import AuditAction, AuditEvent
from resettle.people.models import Person
from resettle.testing import ApiClient, token_for

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people"


def test_it_refuses_a_request_without_a_token(api_as):
    response = api_as(None).get(PEOPLE)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in response["WWW-Authenticate"]


def test_it_refuses_a_token_it_never_issued(client):
    response = ApiClient(client, "rst_not-a-real-token").get(PEOPLE)

    assert_problem(response, 401)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_it_refuses_a_session_cookie_in_place_of_a_token(client, cast):
    client.force_login(cast.caseworker.user)

    assert_problem(ApiClient(client).get(PEOPLE), 401)


def test_it_refuses_basic_authentication(client, cast):
    response = client.get(PEOPLE, headers={"Authorization": "Basic Y2FzZXdvcmtlcjpwdw=="})

    assert_problem(response, 401)


def test_a_valid_token_acts_as_its_user(api_as, cast):
    person = add_person(cast.caseworker)

    response = api_as(cast.caseworker).get(PEOPLE)

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [str(person.pk)]


def test_the_user_is_read_once_with_the_token(api_as, cast, django_assert_max_num_queries):
    person = add_person(cast.caseworker)

    with django_assert_max_num_queries(30) as queries:
        response = api_as(cast.caseworker).get(f"{PEOPLE}/{person.pk}")

    assert response.status_code == 200
    users = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(users) == 1  # with the token; the audit of the read names the same user
    read = AuditEvent.objects.filter(action=AuditAction.READ, person_id=person.pk).first()
    assert read is not None and read.user_id == cast.caseworker.user_id


def test_a_revoked_token_is_refused(client, cast):
    created = api_token_create(user=cast.caseworker.user, name="Old script")
    api_token_revoke(user=cast.caseworker.user, token=created.token)

    assert_problem(ApiClient(client, created.secret).get(PEOPLE), 401)


def test_creating_and_revoking_a_token_is_audited(cast):
    created = api_token_create(user=cast.caseworker.user, name="Nightly export")
    api_token_revoke(user=cast.caseworker.user, token=created.token)
    api_token_revoke(user=cast.caseworker.user, token=created.token)  # already revoked
    events = AuditEvent.objects.filter(object_id=str(created.token.pk)).order_by("id")
    assert [e.action for e in events] == [AuditAction.TOKEN_CREATED, AuditAction.TOKEN_REVOKED]
    assert {e.username for e in events} == {cast.caseworker.user.username}


def test_an_expired_token_is_refused(client, cast):
    created = api_token_create(
        user=cast.caseworker.user,
        name="Short lived",
        expires_at=timezone.now() - timedelta(seconds=1),
    )

    assert_problem(ApiClient(client, created.secret).get(PEOPLE), 401)


def test_the_token_of_a_switched_off_user_is_refused(client, cast):
    secret = token_for(cast.caseworker.user)
    cast.caseworker.user.is_active = False
    cast.caseworker.user.save()

    assert_problem(ApiClient(client, secret).get(PEOPLE), 401)


def test_only_a_hash_of_the_secret_is_stored(cast):
    created = api_token_create(user=cast.caseworker.user, name="Script")

    stored = ApiToken.objects.get(pk=created.token.pk)
    assert created.secret not in {stored.token_hash, stored.prefix}
    assert created.secret.startswith(stored.prefix)


def test_using_a_token_records_when_it_was_last_used(client, cast):
    created = api_token_create(user=cast.caseworker.user, name="Script")

    ApiClient(client, created.secret).get(PEOPLE)

    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


def test_the_organisation_header_chooses_which_membership_acts(api_as, cast):
    # The caseworker also works shifts as a caseworker at the housing provider.
    second = make_membership(user=cast.caseworker.user, organisation=cast.housing_provider)
    housing_person = add_person(cast.housing, given_name="Jordan", family_name="Hale")
    charity_person = add_person(cast.caseworker)
    api = api_as(cast.caseworker)

    default = api.get(PEOPLE)
    chosen = api.get(PEOPLE, headers={"X-Resettle-Organisation": str(second.organisation_id)})

    assert [p["id"] for p in default.json()["results"]] == [str(charity_person.pk)]
    assert [p["id"] for p in chosen.json()["results"]] == [str(housing_person.pk)]


@pytest.mark.parametrize("header", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_the_organisation_header_must_name_one_of_the_users_organisations(api_as, cast, header):
    response = api_as(cast.caseworker).get(PEOPLE, headers={"X-Resettle-Organisation": header})

    assert_problem(response, 403)


def test_an_organisation_the_user_is_not_a_member_of_is_forbidden(api_as, cast):
    other = str(cast.probation_unit.pk)

    response = api_as(cast.caseworker).get(PEOPLE, headers={"X-Resettle-Organisation": other})

    assert_problem(response, 403)


def test_the_token_of_a_user_in_no_organisation_is_refused(api_as):
    outsider = make_user()

    assert_problem(api_as(outsider).get(PEOPLE), 401)
    response = api_as(outsider).post(PEOPLE, {"given_name": "Alex", "family_name": "Morgan"})

    assert_problem(response, 401)
    assert not Person.objects.exists()


def test_the_token_of_a_platform_operator_reads_no_one_and_changes_nothing(api_as):
    operator = make_user(is_superuser=True, is_staff=True)

    assert api_as(operator).get(PEOPLE).json()["results"] == []
    response = api_as(operator).post(PEOPLE, {"given_name": "Alex", "family_name": "Morgan"})

    assert_problem(response, 403)
    assert not Person.objects.exists()


def test_a_token_stops_working_when_its_users_last_membership_ends(api_as, cast):
    client = api_as(cast.caseworker)
    assert client.get(PEOPLE).status_code == 200

    cast.caseworker.ended_on = timezone.localdate()
    cast.caseworker.save(update_fields=["ended_on"])

    response = client.get(PEOPLE)
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
