import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.api.tests.conftest import add_person, assert_problem, error_fields
from resettle.people.models import Household
from resettle.people.services import household_create
from resettle.people.tests.sharing import make_agreement, make_household


@pytest.fixture
def family_information_shared(cast):
    """Households are family information: these tests' organisations receive it under a
    statutory agreement (test_households_categories.py tests without it)."""
    return make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.FAMILY_CHILDREN],
        kinds=[OrganisationKind.LEAD_CHARITY, OrganisationKind.FAMILY_SUPPORT],
    )


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("family_information_shared")]

HOUSEHOLDS = "/api/v1/households"


def detail(household) -> str:
    return f"{HOUSEHOLDS}/{household.pk}"


@pytest.fixture
def family(cast):
    """A household of two people the caseworker works with and one only the family charity does."""
    parent = add_person(cast.caseworker, given_name="Dana", family_name="Reid")
    child = add_person(cast.caseworker, given_name="Kai", family_name="Reid")
    household = household_create(
        actor=cast.caseworker, name="Reid household", member_ids=[parent.pk, child.pk]
    )
    partner = add_person(cast.family, given_name="Lee", family_name="Reid")
    household.members.create(person=partner)
    return household


def test_the_list_shows_households_of_visible_people(api_as, cast, family):
    make_household("Elsewhere", [add_person(cast.outsider)])

    body = api_as(cast.caseworker).get(HOUSEHOLDS).json()

    assert body["count"] == 1
    assert body["results"][0]["name"] == "Reid household"


def test_members_the_actor_cannot_see_are_counted_not_listed(api_as, cast, family):
    household = api_as(cast.caseworker).get(detail(family)).json()

    assert len(household["members"]) == 2
    assert household["other_members_count"] == 1


def test_the_list_takes_the_same_number_of_queries_for_more_households(
    api_as, cast, django_assert_max_num_queries
):
    def add_households(names: str) -> None:
        for name in names:
            person = add_person(cast.caseworker, family_name=f"House{name}")
            household_create(actor=cast.caseworker, name=f"House {name}", member_ids=[person.pk])

    api = api_as(cast.caseworker)
    add_households("ab")
    with django_assert_max_num_queries(12) as few:
        api.get(HOUSEHOLDS)
    add_households("cdefghij")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(HOUSEHOLDS)

    assert response.json()["count"] == 10


def test_the_detail_has_an_etag(api_as, cast, family):
    response = api_as(cast.caseworker).get(detail(family))

    assert response.status_code == 200
    assert response["ETag"]


def test_another_organisations_household_is_not_found(api_as, cast, family):
    assert_problem(api_as(cast.outsider).get(detail(family)), 404)


def test_reading_households_needs_a_token(api_as, family):
    assert_problem(api_as(None).get(HOUSEHOLDS), 401)


def test_a_caseworker_records_a_household(api_as, cast):
    person = add_person(cast.caseworker)

    response = api_as(cast.caseworker).post(
        HOUSEHOLDS, {"name": "Morgan household", "members": [str(person.pk)]}
    )

    assert response.status_code == 201, response.content
    household = Household.objects.get(pk=response.json()["id"])
    assert [m.person for m in household.members.all()] == [person]
    assert response["Location"].endswith(detail(household))


def test_a_household_of_people_outside_the_caseload_is_refused(api_as, cast):
    theirs = add_person(cast.outsider)

    response = api_as(cast.caseworker).post(
        HOUSEHOLDS, {"name": "Sneaky", "members": [str(theirs.pk)]}
    )

    assert error_fields(response) == {"members"}
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "members": []}, "members"),
        ({"name": "x" * 201, "members": []}, "name"),
        ({"name": "Ok", "members": ["not-a-uuid"]}, "members.0"),
    ],
)
def test_invalid_households_are_refused(api_as, cast, body, field):
    assert field in error_fields(api_as(cast.caseworker).post(HOUSEHOLDS, body))
    assert not Household.objects.exists()


def test_a_role_that_may_not_record_households_is_forbidden(api_as, cast):
    person = add_person(cast.caseworker)
    body = {"name": "X", "members": [str(person.pk)]}

    assert_problem(api_as(cast.analyst).post(HOUSEHOLDS, body), 403)


def test_household_creation_is_idempotent(api_as, cast):
    person = add_person(cast.caseworker)
    api = api_as(cast.caseworker)
    body = {"name": "Once", "members": [str(person.pk)]}

    first = api.post(HOUSEHOLDS, body, headers={"Idempotency-Key": "k1"})
    again = api.post(HOUSEHOLDS, body, headers={"Idempotency-Key": "k1"})

    assert again.json() == first.json()
    assert Household.objects.count() == 1


def test_a_caseworker_renames_a_household(api_as, cast, family):
    api = api_as(cast.caseworker)
    etag = api.get(detail(family))["ETag"]

    response = api.patch(detail(family), {"name": "Reid family"}, headers={"If-Match": etag})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Reid family"


def test_renaming_with_a_stale_etag_is_a_conflict(api_as, cast, family):
    api = api_as(cast.caseworker)
    stale = api.get(detail(family))["ETag"]
    api.patch(detail(family), {"notes": "Moved in June"})

    response = api.patch(detail(family), {"name": "Lost"}, headers={"If-Match": stale})

    assert_problem(response, 409)
    family.refresh_from_db()
    assert family.name == "Reid household"


def test_another_organisations_household_cannot_be_changed(api_as, cast, family):
    assert_problem(api_as(cast.outsider).patch(detail(family), {"name": "X"}), 404)
