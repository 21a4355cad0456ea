import json
from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.api.tests.conftest import add_person, assert_problem, error_fields
from resettle.people.models import Address, Identifier, Person
from resettle.people.tests.sharing import make_agreement


@pytest.fixture
def lead_charity_receives_contact(cast):
    """These tests are about the API, not about sharing (test_people_categories.py is): the
    caseworker's organisation receives contact details and criminal-justice identifiers under a
    statutory agreement."""
    return make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.CONTACT, Category.CRIMINAL_JUSTICE_IDS],
        kinds=[OrganisationKind.LEAD_CHARITY],
    )


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lead_charity_receives_contact")]

PEOPLE = "/api/v1/people"


def detail(person) -> str:
    return f"{PEOPLE}/{person.pk}"


def valid_person(**overrides) -> dict:
    return {
        "given_name": "Sam",
        "family_name": "Okafor",
        "date_of_birth": "1990-04-12",
        "sex": "male",
        "ethnicity": "black_african",
        "identifiers": [
            {"scheme": "prison_number", "value": "a1234bc"},
            {"scheme": "crn", "value": "X123456"},
        ],
        "address": {"kind": "home", "line_1": "4 Grey Street", "postcode": "ne1 6ee"},
    } | overrides


# List ---------------------------------------------------------------------------------------


def test_the_list_shows_only_people_the_actor_works_with(api_as, cast):
    mine = add_person(cast.caseworker, given_name="Ann", family_name="Ames")
    add_person(cast.outsider, given_name="Bea", family_name="Bell")

    response = api_as(cast.caseworker).get(PEOPLE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == str(mine.pk)


def test_the_list_has_the_agreed_shape(api_as, cast):
    add_person(cast.caseworker, identifiers={"crn": "X123456"}, date_of_birth=date(1990, 1, 2))

    person = api_as(cast.caseworker).get(PEOPLE).json()["results"][0]

    assert {
        "id",
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "sex",
        "gender_identity",
        "ethnicity",
        "identifiers",
        "created_at",
        "updated_at",
        "middle_names",
        "pronouns",
        "disability",
        "phone",
        "email",
        "aliases",
        "is_child",
    } <= person.keys()
    assert person["identifiers"] == [{"scheme": "crn", "value": "X123456"}]
    assert person["date_of_birth"] == "1990-01-02"


def test_a_role_that_works_with_no_one_sees_an_empty_list(api_as, cast):
    add_person(cast.caseworker)

    response = api_as(cast.analyst).get(PEOPLE)

    assert response.json()["count"] == 0


def test_the_list_pages_with_absolute_next_and_previous_links(api_as, cast):
    for n in range(5):
        add_person(cast.caseworker, family_name=f"Person{'abcde'[n]}")
    api = api_as(cast.caseworker)

    first = api.get(PEOPLE, {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    last = api.get(PEOPLE, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/people?page_size=2&page=2"
    assert second["previous"] == "http://testserver/api/v1/people?page_size=2&page=1"
    assert len(last["results"]) == 1
    assert last["next"] is None
    seen = [p["family_name"] for p in first["results"] + second["results"] + last["results"]]
    assert seen == ["Persona", "Personb", "Personc", "Persond", "Persone"]


@pytest.mark.parametrize(
    "query", [{"page_size": 101}, {"page_size": 0}, {"page": 0}, {"page": "two"}]
)
def test_paging_values_out_of_range_are_invalid(api_as, cast, query):
    field = next(iter(query))

    assert error_fields(api_as(cast.caseworker).get(PEOPLE, query)) == {field}


def test_a_page_past_the_end_is_not_found(api_as, cast):
    add_person(cast.caseworker)

    assert_problem(api_as(cast.caseworker).get(PEOPLE, {"page": 2}), 404)


def test_the_list_filters_by_name_with_the_search_rules(api_as, cast):
    stephen = add_person(cast.caseworker, given_name="Stephen", family_name="Walsh")
    add_person(cast.caseworker, given_name="Maria", family_name="Lopez")

    response = api_as(cast.caseworker).get(PEOPLE, {"q": "Steven Walsh"})

    assert [p["id"] for p in response.json()["results"]] == [str(stephen.pk)]


def test_the_list_filters_by_identifier(api_as, cast):
    person = add_person(cast.caseworker, identifiers={"prison_number": "A1234BC"})
    add_person(cast.caseworker, family_name="Other")

    response = api_as(cast.caseworker).get(PEOPLE, {"q": "a1234bc"})

    assert [p["id"] for p in response.json()["results"]] == [str(person.pk)]


def test_the_list_filters_by_date_of_birth(api_as, cast):
    person = add_person(cast.caseworker, date_of_birth=date(1985, 6, 1))
    add_person(cast.caseworker, date_of_birth=date(1986, 6, 1))

    response = api_as(cast.caseworker).get(PEOPLE, {"date_of_birth": "1985-06-01"})

    assert [p["id"] for p in response.json()["results"]] == [str(person.pk)]


def test_the_search_never_finds_people_outside_the_actors_caseload(api_as, cast):
    add_person(cast.outsider, given_name="Stephen", family_name="Walsh")

    response = api_as(cast.caseworker).get(PEOPLE, {"q": "Stephen Walsh"})

    assert response.json()["count"] == 0


def _fill_caseload(actor, start: int, stop: int) -> None:
    for n in range(start, stop):
        person = add_person(
            actor, family_name=f"Family{'abcdefghijklmnop'[n]}", identifiers={"crn": f"X{n:06d}"}
        )
        Address.objects.create(person=person, kind="home", line_1="1 Road", postcode="NE1 6EE")


@pytest.mark.parametrize("query", [{}, {"q": "Family"}])
def test_the_list_takes_the_same_number_of_queries_for_more_people(
    api_as, cast, django_assert_max_num_queries, query
):
    api = api_as(cast.caseworker)
    _fill_caseload(cast.caseworker, 0, 2)
    # Sign-in, the count (open relationships, then those ending later) or the name look-up,
    # ranking and page, its related records, the sharing decision, who on the page may show
    # criminal-justice identifiers, and the audit of the contact details read (PostgreSQL locks
    # an audit chain with one more): a fixed number, whatever the page size.
    with django_assert_max_num_queries(20) as few:
        api.get(PEOPLE, query)
    _fill_caseload(cast.caseworker, 2, 12)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(PEOPLE, query)

    assert response.json()["count"] >= 10


# Detail -------------------------------------------------------------------------------------


def test_the_detail_gives_the_person_and_an_etag(api_as, cast):
    person = add_person(cast.caseworker, identifiers={"prison_number": "a1234bc"})

    response = api_as(cast.caseworker).get(detail(person))

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response.json()["identifiers"] == [{"scheme": "prison_number", "value": "A1234BC"}]


def test_another_organisations_person_is_not_found_like_a_missing_one(api_as, cast):
    theirs = add_person(cast.outsider)
    api = api_as(cast.caseworker)

    hidden = api.get(detail(theirs))
    missing = api.get(f"{PEOPLE}/00000000-0000-0000-0000-000000000000")

    assert_problem(hidden, 404)
    assert {k: v for k, v in hidden.json().items() if k != "instance"} == {
        k: v for k, v in missing.json().items() if k != "instance"
    }


def test_a_peer_mentor_cannot_open_someone_not_allocated_to_them(api_as, cast):
    person = add_person(cast.caseworker)

    assert_problem(api_as(cast.mentor).get(detail(person)), 404)


def test_an_id_that_is_not_a_uuid_is_not_found(api_as, cast):
    assert_problem(api_as(cast.caseworker).get(f"{PEOPLE}/42"), 404)


def test_reading_a_person_needs_a_token(api_as, cast):
    person = add_person(cast.caseworker)

    assert_problem(api_as(None).get(detail(person)), 401)


# Create -------------------------------------------------------------------------------------


def test_a_caseworker_adds_a_person_with_identifiers_and_address(api_as, cast):
    response = api_as(cast.caseworker).post(PEOPLE, valid_person())

    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert response["Location"] == f"http://testserver{detail(person)}"
    assert body["identifiers"] == [
        {"scheme": "crn", "value": "X123456"},
        {"scheme": "prison_number", "value": "A1234BC"},
    ]
    assert body["address"]["postcode"] == "NE1 6EE"
    assert person.working_relationships.get().organisation == cast.lead_charity
    assert person.created_by == cast.caseworker.user


def test_adding_a_person_needs_a_token(api_as):
    assert_problem(api_as(None).post(PEOPLE, valid_person()), 401)
    assert not Person.objects.exists()


def test_a_revoked_token_cannot_add_a_person(client, cast):
    from resettle.api.services import api_token_create, api_token_revoke
    from resettle.testing import ApiClient

    created = api_token_create(user=cast.caseworker.user, name="Old")
    api_token_revoke(user=cast.caseworker.user, token=created.token)

    assert_problem(ApiClient(client, created.secret).post(PEOPLE, valid_person()), 401)
    assert not Person.objects.exists()


def test_a_role_that_may_not_add_people_is_forbidden(api_as, cast):
    response = api_as(cast.analyst).post(PEOPLE, valid_person())

    assert_problem(response, 403)
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"identifiers": [{"scheme": "prison_number", "value": "12345"}]}, "identifiers.0.value"),
        ({"identifiers": [{"scheme": "passport", "value": "A1"}]}, "identifiers.0.scheme"),
        (
            {
                "identifiers": [
                    {"scheme": "crn", "value": "X123456"},
                    {"scheme": "crn", "value": "X654321"},
                ]
            },
            "identifiers",
        ),
        (
            {"address": {"kind": "home", "line_1": "1 Road", "postcode": "NOT A CODE"}},
            "address.postcode",
        ),
        ({"address": {"kind": "home", "postcode": "NE1 6EE"}}, "address"),
        ({"date_of_birth": (date.today() + timedelta(days=1)).isoformat()}, "date_of_birth"),
        ({"date_of_birth": "12/04/1990"}, "date_of_birth"),
        ({"family_name": "A" * 101}, "family_name"),
        ({"given_name": "<script>alert(1)</script>"}, "given_name"),
        ({"given_name": ""}, "given_name"),
        ({"sex": "unknown"}, "sex"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_invalid_input_is_refused_with_field_errors_and_nothing_saved(api_as, cast, change, field):
    response = api_as(cast.caseworker).post(PEOPLE, valid_person(**change))

    assert field in error_fields(response)
    assert not Person.objects.exists()
    assert not Identifier.objects.exists()
    assert not Address.objects.exists()


def test_a_missing_required_name_is_reported(api_as, cast):
    body = valid_person()
    del body["family_name"]

    assert error_fields(api_as(cast.caseworker).post(PEOPLE, body)) == {"family_name"}


def test_every_invalid_field_is_reported_at_once(api_as, cast):
    response = api_as(cast.caseworker).post(
        PEOPLE,
        valid_person(
            given_name="<b>Bob</b>",
            date_of_birth="2099-01-01",
            identifiers=[{"scheme": "crn", "value": "nope"}],
        ),
    )

    assert error_fields(response) == {"given_name", "date_of_birth", "identifiers.0.value"}


def test_a_body_that_is_not_json_is_invalid(api_as, cast):
    response = api_as(cast.caseworker).client.post(
        PEOPLE,
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_as(cast.caseworker).token}"},
    )

    assert_problem(response, 400)


def test_an_identifier_already_held_by_someone_else_is_refused_clearly(api_as, cast):
    other = add_person(cast.outsider)
    other.identifiers.create(scheme="crn", value="X123456")

    response = api_as(cast.caseworker).post(PEOPLE, valid_person())

    errors = assert_problem(response, 400)["errors"]
    assert errors == [
        {
            "field": "identifiers.1.value",
            "message": "This Probation case reference (CRN) is already recorded for another person",
        }
    ]
    assert Person.objects.count() == 1


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response(api_as, cast):
    api = api_as(cast.caseworker)
    key = {"Idempotency-Key": "2b9c2c4e-create-sam"}

    first = api.post(PEOPLE, valid_person(), headers=key)
    again = api.post(PEOPLE, valid_person(), headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 1


def test_the_same_json_laid_out_differently_is_the_same_request(api_as, cast):
    api = api_as(cast.caseworker)
    key = {"Idempotency-Key": "layout"}
    body = valid_person()
    api.post(PEOPLE, body, headers=key)

    again = api.client.post(
        PEOPLE,
        json.dumps(dict(reversed(body.items())), indent=2),
        content_type="application/json",
        headers=api._headers(key),
    )

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"


def test_an_idempotency_key_reused_for_a_different_body_is_refused(api_as, cast):
    api = api_as(cast.caseworker)
    key = {"Idempotency-Key": "reused"}
    api.post(PEOPLE, valid_person(), headers=key)

    response = api.post(
        PEOPLE, valid_person(given_name="Other", identifiers=[], address=None), headers=key
    )

    assert_problem(response, 422)
    assert Person.objects.count() == 1


def test_idempotency_keys_belong_to_one_user(api_as, cast):
    key = {"Idempotency-Key": "shared-key"}
    api_as(cast.caseworker).post(PEOPLE, valid_person(), headers=key)

    response = api_as(cast.probation).post(
        PEOPLE, valid_person(identifiers=[], address=None), headers=key
    )

    assert response.status_code == 201
    assert Person.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_idempotency_key(api_as, cast):
    api = api_as(cast.caseworker)
    key = {"Idempotency-Key": "fix-and-retry"}
    api.post(PEOPLE, valid_person(given_name="<b>"), headers=key)

    response = api.post(PEOPLE, valid_person(), headers=key)

    assert response.status_code == 201


def test_an_idempotency_key_expires_after_a_day(api_as, cast):
    from django.utils import timezone

    from resettle.api.models import IdempotencyRecord

    api = api_as(cast.caseworker)
    key = {"Idempotency-Key": "old"}
    api.post(PEOPLE, valid_person(), headers=key)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = api.post(PEOPLE, valid_person(identifiers=[], address=None), headers=key)

    assert response.status_code == 201
    assert Person.objects.count() == 2


# Update -------------------------------------------------------------------------------------


def test_a_caseworker_changes_some_details(api_as, cast):
    person = add_person(cast.caseworker, identifiers={"crn": "X123456"})
    api = api_as(cast.caseworker)
    etag = api.get(detail(person))["ETag"]

    response = api.patch(
        detail(person), {"preferred_name": "Lex", "sex": "female"}, headers={"If-Match": etag}
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    person.refresh_from_db()
    assert (person.preferred_name, person.sex, person.given_name) == ("Lex", "female", "Alex")
    assert person.identifiers.get().value == "X123456"  # identifiers left alone


def test_an_update_without_if_match_is_allowed(api_as, cast):
    person = add_person(cast.caseworker)

    response = api_as(cast.caseworker).patch(detail(person), {"phone": "0191 496 0000"})

    assert response.status_code == 200


def test_sending_identifiers_replaces_the_whole_set(api_as, cast):
    person = add_person(cast.caseworker, identifiers={"crn": "X123456", "prison_number": "A1234BC"})

    response = api_as(cast.caseworker).patch(
        detail(person), {"identifiers": [{"scheme": "crn", "value": "X654321"}]}
    )

    assert response.json()["identifiers"] == [{"scheme": "crn", "value": "X654321"}]


def test_an_update_with_a_stale_etag_is_a_conflict_and_saves_nothing(api_as, cast):
    person = add_person(cast.caseworker)
    api = api_as(cast.caseworker)
    stale = api.get(detail(person))["ETag"]
    api.patch(detail(person), {"preferred_name": "First"})

    response = api.patch(detail(person), {"preferred_name": "Second"}, headers={"If-Match": stale})

    assert_problem(response, 409)
    person.refresh_from_db()
    assert person.preferred_name == "First"


def test_an_invalid_update_saves_nothing(api_as, cast):
    person = add_person(cast.caseworker, identifiers={"crn": "X123456"})

    response = api_as(cast.caseworker).patch(
        detail(person),
        {"family_name": "<i>x</i>", "identifiers": [{"scheme": "crn", "value": "bad"}]},
    )

    assert error_fields(response) == {"family_name", "identifiers.0.value"}
    person.refresh_from_db()
    assert person.family_name == "Morgan"
    assert person.identifiers.get().value == "X123456"


def test_null_is_not_a_name(api_as, cast):
    person = add_person(cast.caseworker)

    assert error_fields(api_as(cast.caseworker).patch(detail(person), {"given_name": None})) == {
        "given_name"
    }


def test_another_organisations_person_cannot_be_updated(api_as, cast):
    theirs = add_person(cast.outsider)

    assert_problem(api_as(cast.caseworker).patch(detail(theirs), {"preferred_name": "X"}), 404)
    theirs.refresh_from_db()
    assert theirs.preferred_name == ""


def test_updating_needs_a_token(api_as, cast):
    person = add_person(cast.caseworker)

    assert_problem(api_as(None).patch(detail(person), {"preferred_name": "X"}), 401)


def test_put_is_not_allowed(api_as, cast):
    person = add_person(cast.caseworker)
    api = api_as(cast.caseworker)

    response = api.client.put(
        detail(person), "{}", content_type="application/json", headers=api._headers(None)
    )

    assert_problem(response, 405)
    assert "PATCH" in response["Allow"]
