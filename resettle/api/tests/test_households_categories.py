"""Households are family information: through the API they are found, read and changed only
where family information is shared with the caller's organisation, and members are named only
where theirs is."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.api.tests.conftest import add_person, assert_problem, error_fields
from resettle.partnerships.models import LawfulBasis
from resettle.people.models import Household
from resettle.people.tests.sharing import make_agreement, make_consent, make_household

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households"
LEAD = OrganisationKind.LEAD_CHARITY


def detail(household: Household) -> str:
    return f"{HOUSEHOLDS}/{household.pk}"


def family_agreement(cast, **options):
    return make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.FAMILY_CHILDREN],
        kinds=[LEAD],
        **options,
    )


@pytest.fixture
def reids(cast):
    dana = add_person(cast.caseworker, given_name="Dana", family_name="Reid")
    kai = add_person(cast.caseworker, given_name="Kai", family_name="Reid")
    household = make_household("Reid household", [dana, kai])
    return {"dana": dana, "kai": kai, "household": household}


def test_without_family_shared_households_are_neither_listed_nor_found(api_as, cast, reids):
    api = api_as(cast.caseworker)
    assert api.get(HOUSEHOLDS).json()["count"] == 0
    assert_problem(api.get(detail(reids["household"])), 404)
    assert_problem(api.patch(detail(reids["household"]), {"name": "Changed"}), 404)
    reids["household"].refresh_from_db()
    assert reids["household"].name == "Reid household"


def test_without_family_shared_a_household_cannot_be_recorded(api_as, cast, reids):
    response = api_as(cast.caseworker).post(
        HOUSEHOLDS, {"name": "New", "members": [str(reids["dana"].pk)]}
    )
    assert error_fields(response) == {"members"}
    assert Household.objects.count() == 1


def test_with_family_shared_the_household_is_listed_found_and_changed(api_as, cast, reids):
    family_agreement(cast)
    api = api_as(cast.caseworker)
    assert api.get(HOUSEHOLDS).json()["count"] == 1
    assert len(api.get(detail(reids["household"])).json()["members"]) == 2
    assert api.patch(detail(reids["household"]), {"name": "Reids"}).status_code == 200


def test_on_consent_only_members_who_consented_are_named(api_as, cast, reids):
    family_agreement(cast, basis=LawfulBasis.CONSENT)
    api = api_as(cast.caseworker)
    assert_problem(api.get(detail(reids["household"])), 404)
    consent = make_consent(reids["dana"], categories=[Category.FAMILY_CHILDREN], kinds=[LEAD])
    body = api.get(detail(reids["household"])).json()
    assert [m["person"] for m in body["members"]] == [str(reids["dana"].pk)]
    assert body["other_members_count"] == 1
    # Withdrawn: the household is gone from this organisation's view at once.
    consent.withdrawn_on = date.today()
    consent.save()
    assert_problem(api.get(detail(reids["household"])), 404)
    assert api.get(HOUSEHOLDS).json()["count"] == 0


def test_after_the_agreement_ends_the_household_is_not_found(api_as, cast, reids):
    family_agreement(cast, starts_on=date.today() - timedelta(days=30), ends_on=date.today())
    assert_problem(api_as(cast.caseworker).get(detail(reids["household"])), 404)


def test_a_household_mixing_shared_and_unshared_members_is_refused(api_as, cast, reids):
    family_agreement(cast, basis=LawfulBasis.CONSENT)
    make_consent(reids["dana"], categories=[Category.FAMILY_CHILDREN], kinds=[LEAD])
    api = api_as(cast.caseworker)
    both = {"name": "New", "members": [str(reids["dana"].pk), str(reids["kai"].pk)]}
    assert error_fields(api.post(HOUSEHOLDS, both)) == {"members"}
    one = {"name": "New", "members": [str(reids["dana"].pk)]}
    assert api.post(HOUSEHOLDS, one).status_code == 201
