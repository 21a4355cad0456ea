import pytest

from resettle.accounts.models import Organisation
from resettle.accounts.tests.factories import make_user
from resettle.api.tests.conftest import assert_problem, error_fields
from resettle.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations"


def detail(organisation) -> str:
    return f"{ORGANISATIONS}/{organisation.pk}"


def test_the_list_shows_the_partnerships_organisations(api_as, cast):
    body = api_as(cast.caseworker).get(ORGANISATIONS, {"page_size": 100}).json()

    names = {o["name"] for o in body["results"]}
    assert cast.football_trust.name in names
    assert cast.outside_organisation.name not in names
    assert body["count"] == 7


def test_the_list_takes_a_fixed_number_of_queries(api_as, cast, django_assert_max_num_queries):
    api = api_as(cast.caseworker)

    # Token, membership, last-used stamp, count, page: however many organisations there are.
    with django_assert_max_num_queries(5):
        api.get(ORGANISATIONS)


def test_an_organisation_has_the_agreed_shape(api_as, cast):
    response = api_as(cast.caseworker).get(detail(cast.football_trust))

    assert response.status_code == 200
    assert response["ETag"]
    assert {"id", "name", "kind"} <= response.json().keys()
    assert response.json()["kind"] == "sport_trust"


def test_an_organisation_outside_the_partnership_is_not_found(api_as, cast):
    assert_problem(api_as(cast.caseworker).get(detail(cast.outside_organisation)), 404)


def test_reading_organisations_needs_a_token(api_as, cast):
    assert_problem(api_as(None).get(ORGANISATIONS), 401)


def test_an_organisation_admin_changes_their_own_organisation(api_as, cast):
    api = api_as(cast.admin)
    etag = api.get(detail(cast.lead_charity))["ETag"]

    response = api.patch(
        detail(cast.lead_charity), {"phone": "0191 496 0123"}, headers={"If-Match": etag}
    )

    assert response.status_code == 200, response.content
    cast.lead_charity.refresh_from_db()
    assert cast.lead_charity.phone == "0191 496 0123"


def test_a_stale_etag_on_an_organisation_is_a_conflict(api_as, cast):
    api = api_as(cast.admin)
    stale = api.get(detail(cast.lead_charity))["ETag"]
    api.patch(detail(cast.lead_charity), {"phone": "1"})

    assert_problem(api.patch(detail(cast.lead_charity), {"phone": "2"}, {"If-Match": stale}), 409)


def test_a_caseworker_cannot_change_their_organisation(api_as, cast):
    assert_problem(api_as(cast.caseworker).patch(detail(cast.lead_charity), {"phone": "1"}), 403)


def test_an_admin_cannot_change_a_partner_organisation(api_as, cast):
    assert_problem(api_as(cast.admin).patch(detail(cast.football_trust), {"phone": "1"}), 403)


def test_an_invalid_change_saves_nothing(api_as, cast):
    response = api_as(cast.admin).patch(detail(cast.lead_charity), {"email": "nope", "kind": "pub"})

    assert error_fields(response) == {"kind"}
    response = api_as(cast.admin).patch(detail(cast.lead_charity), {"email": "nope"})
    assert error_fields(response) == {"email"}
    cast.lead_charity.refresh_from_db()
    assert cast.lead_charity.email == ""


def test_an_operator_adds_an_organisation(api_as):
    operator = make_user(is_superuser=True, is_staff=True)

    response = api_as(operator).post(
        ORGANISATIONS, {"name": "Northshire Credit Union", "kind": "other"}
    )

    assert response.status_code == 201, response.content
    assert Organisation.objects.filter(name="Northshire Credit Union").exists()


def test_an_organisation_admin_cannot_add_organisations(api_as, cast):
    response = api_as(cast.admin).post(ORGANISATIONS, {"name": "Mine too", "kind": "other"})

    assert_problem(response, 403)
    assert not Organisation.objects.filter(name="Mine too").exists()


def test_a_duplicate_organisation_name_is_refused(api_as, cast):
    operator = make_user(is_superuser=True)

    response = api_as(operator).post(
        ORGANISATIONS, {"name": cast.lead_charity.name, "kind": "other"}
    )

    assert error_fields(response) == {"name"}


def test_an_org_admin_cannot_change_their_organisations_kind(api_as, cast):
    response = api_as(cast.admin).patch(detail(cast.lead_charity), {"kind": "probation"})
    assert "only Resettle's operators" in assert_problem(response, 403)["detail"]
    assert Organisation.objects.get(pk=cast.lead_charity.pk).kind == "lead_charity"


def test_an_api_change_is_audited(api_as, cast):
    response = api_as(cast.admin).patch(detail(cast.lead_charity), {"phone": "0161 496 0001"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="organisation")
    assert event.changes["phone"][1] == "0161 496 0001"
