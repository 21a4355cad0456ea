"""The Open Referral UK read API: anonymous, CORS, the profile's paging, only public services,
and valid against the published ORUK schemas."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from resettle.core.pathways import Pathway
from resettle.directory.models import Location, Service, Taxonomy, TaxonomyTerm
from resettle.openreferral.feed import PATHWAYS_TAXONOMY
from resettle.openreferral.tests.factories import (
    make_hidden_services,
    make_public_service_with_everything,
    make_service,
)
from resettle.openreferral.tests.oruk_schema import problems, response_validator, schema_validator

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def football(cast) -> Service:
    return make_public_service_with_everything(cast.football_trust)


def test_services_validate_against_the_oruk_schema(anonymous, cast, football):
    make_service(cast.lead_charity, "Drop-in advice", pathways=["accommodation"])
    make_hidden_services(cast.housing_provider)

    response = anonymous.get("/openreferral/services")

    assert response.status_code == 200
    body = response.json()
    assert problems(response_validator("/services"), body) == []
    assert [s["name"] for s in body["contents"]] == ["Drop-in advice", "Tuesday football"]


def test_the_schema_check_catches_a_bad_page(anonymous, football):
    body = anonymous.get("/openreferral/services").json()
    del body["contents"][0]["id"]
    body["contents"][0]["status"] = "open"
    body["total_items"] = "two"

    found = problems(response_validator("/services"), body)

    assert any("'id' is a required property" in p for p in found)
    assert any("'open' is not one of" in p for p in found)
    assert any("total_items" in p for p in found)


def test_it_lists_only_public_services(anonymous, cast, football):
    hidden = make_hidden_services(cast.football_trust)

    body = anonymous.get("/openreferral/services?per_page=50").json()
    ids = {s["id"] for s in body["contents"]}

    assert ids == {str(football.pk)}
    for service in hidden:
        assert anonymous.get(f"/openreferral/services/{service.pk}").status_code == 404


def test_it_answers_any_origin_and_preflight(anonymous, football):
    response = anonymous.get("/openreferral/services")
    preflight = anonymous.options("/openreferral/services")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_it_refuses_writes(anonymous, football):
    assert anonymous.post("/openreferral/services", {}).status_code == 405


def test_paging(anonymous, cast):
    for number in range(5):
        make_service(cast.lead_charity, f"Service {number}")

    first = anonymous.get("/openreferral/services?per_page=2").json()
    last = anonymous.get("/openreferral/services?per_page=2&page=3").json()
    beyond = anonymous.get("/openreferral/services?per_page=2&page=4").json()

    assert (first["total_items"], first["total_pages"], first["size"]) == (5, 3, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    assert [s["name"] for s in last["contents"]] == ["Service 4"]
    assert last["last_page"] and not last["first_page"]
    assert beyond["empty"] and beyond["contents"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("per_page=abc", "per_page"),
        ("per_page=1000", "per_page"),
        ("taxonomy_term_id=not-an-id", "taxonomy_term_id"),
        ("modified_after=yesterday", "modified_after"),
        ("minimum_age=old", "minimum_age"),
    ],
)
def test_bad_parameters_are_problems(anonymous, query, parameter):
    response = anonymous.get(f"/openreferral/services?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["parameter"] == parameter
    assert response["Access-Control-Allow-Origin"] == "*"


def test_text_filter(anonymous, cast, football):
    make_service(cast.lead_charity, "Housing advice", description="Help finding a tenancy")

    body = anonymous.get("/openreferral/services?text=tenancy").json()

    assert [s["name"] for s in body["contents"]] == ["Housing advice"]


def test_taxonomy_term_filter_uses_pathway_terms(anonymous, cast, football):
    make_service(cast.lead_charity, "Housing advice", pathways=["accommodation"])
    terms = anonymous.get("/openreferral/taxonomy_terms?per_page=100").json()["contents"]
    accommodation = next(t for t in terms if t["code"] == Pathway.ACCOMMODATION)

    body = anonymous.get(f"/openreferral/services?taxonomy_term_id={accommodation['id']}").json()
    unknown = anonymous.get(f"/openreferral/services?taxonomy_term_id={uuid.uuid4()}").json()

    assert [s["name"] for s in body["contents"]] == ["Housing advice"]
    assert unknown["empty"]


def test_stored_pathway_taxonomy_is_used_when_present(anonymous, cast, football):
    taxonomy, _ = Taxonomy.objects.get_or_create(name=PATHWAYS_TAXONOMY)
    sport, _ = TaxonomyTerm.objects.get_or_create(
        taxonomy=taxonomy, code="sport", defaults={"name": "Sport"}
    )

    taxonomies = anonymous.get("/openreferral/taxonomies").json()["contents"]
    body = anonymous.get(f"/openreferral/services?taxonomy_term_id={sport.pk}").json()

    assert [t["id"] for t in taxonomies] == [str(taxonomy.pk)]
    assert [s["id"] for s in body["contents"]] == [str(football.pk)]


def test_pathway_taxonomy_is_derived_when_not_stored(anonymous, cast, football):
    Taxonomy.objects.filter(name=PATHWAYS_TAXONOMY).delete()

    taxonomies = anonymous.get("/openreferral/taxonomies").json()["contents"]
    terms = anonymous.get("/openreferral/taxonomy_terms?per_page=100").json()["contents"]
    sport = next(t for t in terms if t["code"] == "sport")
    body = anonymous.get(f"/openreferral/services?taxonomy_term_id={sport['id']}").json()
    again = anonymous.get("/openreferral/taxonomy_terms?per_page=100").json()["contents"]

    assert [t["name"] for t in taxonomies] == [PATHWAYS_TAXONOMY]
    assert {t["code"] for t in terms} == set(Pathway.values)
    assert [s["id"] for s in body["contents"]] == [str(football.pk)]
    assert again == terms  # the derived ids are stable


def test_modified_after_filter(anonymous, cast, football):
    Service.objects.filter(pk=football.pk).update(updated_at=timezone.now() - timedelta(days=10))
    make_service(cast.lead_charity, "New service")
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    body = anonymous.get(f"/openreferral/services?modified_after={since}").json()

    assert [s["name"] for s in body["contents"]] == ["New service"]


def test_full_service_detail(anonymous, football):
    response = anonymous.get(f"/openreferral/services/{football.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["schedules"][0]["byday"] == "TU"
    assert body["schedules"][0]["freq"] == "WEEKLY"
    assert body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "NS1 1AA"
    assert body["phones"][0]["number"] == "01632 960123"
    assert {t["code"] for t in body["taxonomy_terms"]} == {"sport", "mentoring"}
    assert problems(response_validator("/services/{id}"), body) == []


def test_an_address_names_its_county(anonymous, football):
    body = anonymous.get(f"/openreferral/services/{football.pk}").json()

    address = body["service_at_locations"][0]["location"]["addresses"][0]
    assert address["state_province"] == "North Vale"
    assert (address["city"], address["country"]) == ("Northshire", "GB")


def test_an_incomplete_address_is_left_out_so_the_service_stays_valid(anonymous, football):
    Location.objects.filter(services=football).update(county="")

    body = anonymous.get(f"/openreferral/services/{football.pk}").json()

    location = body["service_at_locations"][0]["location"]
    assert "addresses" not in location
    assert location["name"] == "Northshire Leisure Centre"
    assert problems(response_validator("/services/{id}"), body) == []


def test_the_detail_schema_check_catches_a_bad_address(anonymous, football):
    body = anonymous.get(f"/openreferral/services/{football.pk}").json()
    del body["service_at_locations"][0]["location"]["addresses"][0]["state_province"]

    found = problems(response_validator("/services/{id}"), body)

    assert any("'state_province' is a required property" in p for p in found)


def test_every_public_service_detail_validates(anonymous, cast, football):
    plain = make_service(cast.lead_charity, "Drop-in advice", pathways=["accommodation"])

    for service in (football, plain):
        body = anonymous.get(f"/openreferral/services/{service.pk}").json()
        assert problems(response_validator("/services/{id}"), body) == []


def test_unknown_service_is_a_404_problem(anonymous):
    response = anonymous.get(f"/openreferral/services/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_full_service_list(anonymous, football):
    body = anonymous.get("/openreferral/services?full_service=true").json()

    assert body["contents"][0]["schedules"]
    assert problems(response_validator("/services"), body) == []


def test_service_at_locations_validate(anonymous, cast, football):
    make_hidden_services(cast.football_trust)

    body = anonymous.get("/openreferral/service_at_locations").json()

    assert problems(response_validator("/service_at_locations"), body) == []
    assert [c["service"]["id"] for c in body["contents"]] == [str(football.pk)]
    address = body["contents"][0]["location"]["addresses"][0]
    assert address["state_province"] == "North Vale"
    item = schema_validator("compiled/service_at_location.json")
    assert all(problems(item, content) == [] for content in body["contents"])


def test_taxonomies_and_terms_validate(anonymous):
    taxonomies = anonymous.get("/openreferral/taxonomies").json()
    terms = anonymous.get("/openreferral/taxonomy_terms?per_page=100").json()

    assert problems(response_validator("/taxonomies"), taxonomies) == []
    assert problems(response_validator("/taxonomy_terms"), terms) == []
    assert taxonomies["contents"][0]["name"] == PATHWAYS_TAXONOMY
    assert {t["code"] for t in terms["contents"]} == set(Pathway.values)


def test_root_describes_the_api(anonymous):
    body = anonymous.get("/openreferral/").json()

    assert body["version"] == "3.0"


def test_list_query_count_does_not_grow(anonymous, cast, django_assert_max_num_queries):
    for number in range(10):
        make_public_service_with_everything(cast.football_trust) if number == 0 else make_service(
            cast.lead_charity, f"Service {number}"
        )

    with django_assert_max_num_queries(12):
        anonymous.get("/openreferral/services?full_service=true&per_page=50")
